import { supabase } from '../lib/supabase';

export async function listPublishedCapabilities(category: string) {
  const { data, error } = await supabase
    .from('capabilities')
    .select('id, name, description, category, version, metrics, featured')
    .eq('category', category)
    .eq('status', 'published')
    .eq('approval_status', 'approved')
    .order('created_at', { ascending: false });
  if (error) throw error;
  return data ?? [];
}

/** Marketplace home page: per-category totals from the cached view. */
export async function categoryStats() {
  const { data } = await supabase
    .from('mv_capability_stats')
    .select('category, total_capabilities, avg_rating, total_downloads');
  return data ?? [];
}

/** Counts an install in the capability's metrics. */
export async function recordDownload(capabilityId: string) {
  const { data: capability, error } = await supabase
    .from('capabilities')
    .select('metrics')
    .eq('id', capabilityId)
    .single();
  if (error) throw error;

  const { error: updateError } = await supabase
    .from('capabilities')
    .update({ metrics: { ...capability.metrics, downloads: capability.metrics.downloads + 1 } })
    .eq('id', capabilityId);
  if (updateError) throw updateError;
}

export async function installCapability(projectId: string, capabilityId: string, serverUrl: string, apiKey: string) {
  const { data, error } = await supabase
    .from('mcp_integrations')
    .insert({
      project_id: projectId,
      capability_id: capabilityId,
      name: 'MCP server',
      server_url: serverUrl,
      authentication: { type: 'api_key', api_key: apiKey },
    })
    .select('id')
    .single();
  if (error) throw error;
  return data;
}
