import { supabase } from '../lib/supabase';

export async function featuredStyleStacks() {
  const { data, error } = await supabase
    .from('style_stacks')
    .select('id, name, description, tags, usage_count')
    .eq('is_public', true)
    .eq('is_featured', true)
    .order('usage_count', { ascending: false })
    .limit(20);
  if (error) throw error;
  return data ?? [];
}

/** Style stacks whose config uses a given look (served by the GIN index). */
export async function stacksWithStyle(style: string) {
  const { data, error } = await supabase
    .from('style_stacks')
    .select('id, name, style_config')
    .contains('style_config', { style })
    .limit(20);
  if (error) throw error;
  return data ?? [];
}

export async function presetsByCategory(category: string) {
  const { data, error } = await supabase
    .from('style_stack_presets')
    .select('id, name, description, style_config, preview_url')
    .eq('category', category)
    .order('sort_order');
  if (error) throw error;
  return data ?? [];
}

export async function createStyleStackFromPreset(userId: string, presetId: string) {
  const { data: preset, error: presetError } = await supabase
    .from('style_stack_presets')
    .select('name, description, style_config')
    .eq('id', presetId)
    .single();
  if (presetError) throw presetError;

  const { data, error } = await supabase
    .from('style_stacks')
    .insert({
      user_id: userId,
      name: preset.name,
      description: preset.description,
      style_config: preset.style_config,
    })
    .select('id')
    .single();
  if (error) throw error;
  return data;
}

export async function addContributor(stackId: string, userId: string) {
  const { error } = await supabase
    .from('stack_contributors')
    .insert({ stack_id: stackId, user_id: userId, role: 'editor' });
  if (error) throw error;
}
