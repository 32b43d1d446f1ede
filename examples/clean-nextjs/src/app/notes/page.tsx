import { redirect } from 'next/navigation';

import { NoteList } from '@/components/NoteList';
import { createClient } from '@/lib/supabase/server';

export default async function NotesPage() {
  const supabase = await createClient();
  const {
    data: { user },
  } = await supabase.auth.getUser();
  if (!user) redirect('/login');

  const { data: notes, error } = await supabase
    .from('notes')
    .select('id, title, body, created_at, author:profiles(display_name)')
    .eq('user_id', user.id)
    .order('created_at', { ascending: false })
    .limit(50);
  if (error) throw new Error(`Could not load notes: ${error.message}`);

  return <NoteList notes={notes ?? []} />;
}
