import { supabase } from '../lib/supabase';

export interface GenerationRequest {
  userId: string;
  projectId?: string;
  modelId: string;
  prompt: string;
  styleStackId?: string;
  parameters?: Record<string, unknown>;
}

/** The gallery: a user's latest generations. */
export async function listGenerations(userId: string) {
  const { data, error } = await supabase
    .from('generations')
    .select('id, prompt, status, output_urls, created_at')
    .eq('user_id', userId)
    .order('created_at', { ascending: false })
    .limit(48);
  if (error) throw error;
  return data ?? [];
}

/** Models whose prompt guide supports negative prompts (the advanced editor). */
export async function modelsSupportingNegativePrompts() {
  const { data, error } = await supabase
    .from('ai_models')
    .select('id, name, provider, credits_per_generation, prompt_guide')
    .eq('is_active', true)
    .contains('prompt_guide', { supports_negative_prompt: true });
  if (error) throw error;
  return data ?? [];
}

/** Charges the model's price and queues the generation. */
export async function createGeneration(req: GenerationRequest) {
  const { data: model, error: modelError } = await supabase
    .from('ai_models')
    .select('credits_per_generation')
    .eq('id', req.modelId)
    .single();
  if (modelError) throw modelError;

  const { data: profile, error: profileError } = await supabase
    .from('users')
    .select('credits_balance')
    .eq('id', req.userId)
    .single();
  if (profileError) throw profileError;
  if (profile.credits_balance < model.credits_per_generation) {
    throw new Error('Not enough credits');
  }

  const { error: debitError } = await supabase
    .from('users')
    .update({ credits_balance: profile.credits_balance - model.credits_per_generation })
    .eq('id', req.userId);
  if (debitError) throw debitError;

  const { data: generation, error } = await supabase
    .from('generations')
    .insert({
      user_id: req.userId,
      project_id: req.projectId ?? null,
      model_id: req.modelId,
      prompt: req.prompt,
      style_stack_id: req.styleStackId ?? null,
      parameters: req.parameters ?? {},
      cost: model.credits_per_generation,
    })
    .select('id, status')
    .single();
  if (error) throw error;
  return generation;
}
