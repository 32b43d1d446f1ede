'use server';

import { revalidatePath } from 'next/cache';

import { createClient } from '@/lib/supabase/server';

export type ActionResult = { ok: true } | { ok: false; error: string };

export async function createNote(title: string, body: string): Promise<ActionResult> {
  const supabase = await createClient();
  const {
    data: { user },
  } = await supabase.auth.getUser();
  if (!user) return { ok: false, error: 'Not signed in' };

  // One credit per note, spent in one SQL statement (no read-modify-write race).
  const { data: spent, error: creditError } = await supabase.rpc('spend_credit');
  if (creditError) return { ok: false, error: creditError.message };
  if (!spent) return { ok: false, error: 'No credits left' };

  const { error } = await supabase.from('notes').insert({ user_id: user.id, title, body });
  if (error) return { ok: false, error: error.message };

  revalidatePath('/notes');
  return { ok: true };
}

export async function deleteNote(id: number): Promise<ActionResult> {
  const supabase = await createClient();
  const { error } = await supabase.from('notes').delete().eq('id', id);
  if (error) return { ok: false, error: error.message };
  revalidatePath('/notes');
  return { ok: true };
}

export async function renameProfile(displayName: string): Promise<ActionResult> {
  const supabase = await createClient();
  const {
    data: { user },
  } = await supabase.auth.getUser();
  if (!user) return { ok: false, error: 'Not signed in' };
  const { error } = await supabase.from('profiles').update({ display_name: displayName }).eq('id', user.id);
  if (error) return { ok: false, error: error.message };
  revalidatePath('/notes');
  return { ok: true };
}
