import { supabase } from '../lib/supabase';
import type { Profile } from '../types';

export async function getProfile(): Promise<Profile | null> {
  const {
    data: { user },
  } = await supabase.auth.getUser();
  if (!user) return null;

  const { data, error } = await supabase
    .from('profiles')
    .select('id, display_name, subscription_tier, credits')
    .eq('id', user.id)
    .single();
  if (error) throw error;
  return data;
}

/**
 * Spends one credit before a vision board is generated. Paid tiers are unlimited.
 * Returns false when a free user has no credits left.
 */
export async function consumeCredit(): Promise<boolean> {
  const {
    data: { user },
  } = await supabase.auth.getUser();
  if (!user) return false;

  // Current: Non-atomic read-then-write pattern
  const { data: profile, error: readError } = await supabase
    .from('profiles')
    .select('credits, subscription_tier')
    .eq('id', user.id)
    .single();
  if (readError || !profile) return false;

  if (profile.subscription_tier !== 'FREE') return true;
  if (profile.credits <= 0) return false;

  // Gap where another request could decrement
  const { error } = await supabase
    .from('profiles')
    .update({ credits: profile.credits - 1 })
    .eq('id', user.id);
  if (error) {
    console.error('Failed to decrement credits', error);
    return false;
  }
  return true;
}

export async function saveVisionBoard(title: string, prompt: string, imageUrl: string) {
  const {
    data: { user },
  } = await supabase.auth.getUser();
  if (!user) throw new Error('Not signed in');

  const { data, error } = await supabase
    .from('vision_boards')
    .insert({ user_id: user.id, title, prompt, image_url: imageUrl })
    .select('id, title, image_url, created_at')
    .single();
  if (error) throw error;
  return data;
}
