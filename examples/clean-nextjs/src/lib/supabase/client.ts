'use client';

import { createBrowserClient } from '@supabase/ssr';

/** The browser client: the anon key, with the user's session; RLS decides what it sees. */
export function createClient() {
  const url = process.env.NEXT_PUBLIC_SUPABASE_URL;
  const anonKey = process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY;
  if (!url || !anonKey) {
    throw new Error('NEXT_PUBLIC_SUPABASE_URL and NEXT_PUBLIC_SUPABASE_ANON_KEY must be set');
  }
  return createBrowserClient(url, anonKey);
}
