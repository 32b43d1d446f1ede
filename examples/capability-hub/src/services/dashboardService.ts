import { supabase } from '../lib/supabase';

export async function listProjectDashboards(projectId: string) {
  const { data, error } = await supabase
    .from('dashboards')
    .select('id, name, template_id, data_sources, updated_at')
    .eq('project_id', projectId)
    .order('updated_at', { ascending: false });
  if (error) throw error;
  return data ?? [];
}

/** Loads a dashboard with the datasets its widgets read. */
export async function loadDashboard(dashboardId: string) {
  const { data: dashboard, error } = await supabase
    .from('dashboards')
    .select('id, name, layout, data_sources')
    .eq('id', dashboardId)
    .single();
  if (error) throw error;

  const sources = [];
  for (const sourceId of dashboard.data_sources ?? []) {
    const { data: dataset, error: datasetError } = await supabase
      .from('datasets')
      .select('id, name, schema_definition')
      .eq('id', sourceId)
      .maybeSingle();
    if (datasetError) throw datasetError;
    if (dataset) sources.push(dataset);
  }
  return { ...dashboard, sources };
}

export async function createDashboardFromTemplate(projectId: string, ownerId: string, templateId: string) {
  const { data: template, error: templateError } = await supabase
    .from('dashboard_templates')
    .select('name, layout')
    .eq('id', templateId)
    .single();
  if (templateError) throw templateError;

  const { data, error } = await supabase
    .from('dashboards')
    .insert({
      project_id: projectId,
      owner_id: ownerId,
      template_id: templateId,
      name: template.name,
      layout: template.layout,
    })
    .select('id')
    .single();
  if (error) throw error;
  return data;
}
