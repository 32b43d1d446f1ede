'use client';

import { createClient, type SupabaseClient } from '@supabase/supabase-js';

const supabaseUrl = process.env.NEXT_PUBLIC_SUPABASE_URL;
const supabaseAnonKey = process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY;

// Lets the UI render (empty states) when Supabase is not configured, e.g. in
// Storybook or a fresh clone without .env.local.
function createStubClient(): SupabaseClient {
  const empty = { data: null, error: null, count: null };
  const query: any = new Proxy(function () {}, {
    get: (_target, prop) =>
      prop === 'then' ? (resolve: (value: typeof empty) => void) => resolve(empty) : query,
    apply: () => query,
  });
  return {
    from: () => query,
    rpc: async () => empty,
    auth: {
      getUser: async () => ({ data: { user: null }, error: null }),
      getSession: async () => ({ data: { session: null }, error: null }),
      onAuthStateChange: () => ({ data: { subscription: { unsubscribe() {} } } }),
    },
  } as unknown as SupabaseClient;
}

export const supabase: SupabaseClient = (() => {
  if (!supabaseUrl || !supabaseAnonKey) {
    console.warn('Supabase not configured - using stub client');
    return createStubClient();
  }
  return createClient(supabaseUrl, supabaseAnonKey, {
    auth: { persistSession: true, autoRefreshToken: true },
  });
})();

export function createServerClient() {
  const serviceKey = process.env.SUPABASE_SERVICE_ROLE_KEY;
  if (!serviceKey || !supabaseUrl) {
    console.warn('Supabase service role not configured');
    return supabase; // Return regular client as fallback
  }
  return createClient(supabaseUrl, serviceKey, {
    auth: { persistSession: false },
  });
}
