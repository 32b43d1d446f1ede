'use server';

import { revalidatePath } from 'next/cache';
import { createSupabaseServerClient, supabaseAdmin } from '@/lib/supabase/server';

export type SpendResult = { ok: true; credits: number } | { ok: false; error: string };

/** Charge one credit before starting a generation. */
export async function spendCredit(): Promise<SpendResult> {
  const supabase = await createSupabaseServerClient();
  const {
    data: { user },
    error: authError,
  } = await supabase.auth.getUser();
  if (authError || !user) return { ok: false, error: 'Not signed in' };

  const { data: profile, error: readError } = await supabaseAdmin
    .from('users')
    .select('credits, plan')
    .eq('id', user.id)
    .single();
  if (readError || !profile) return { ok: false, error: 'Profile not found' };

  if (profile.plan === 'free' && profile.credits <= 0) {
    return { ok: false, error: 'Out of credits' };
  }

  const { error: updateError } = await supabaseAdmin
    .from('users')
    .update({ credits: profile.credits - 1 })
    .eq('id', user.id);
  if (updateError) return { ok: false, error: updateError.message };

  revalidatePath('/credits');
  return { ok: true, credits: profile.credits - 1 };
}
