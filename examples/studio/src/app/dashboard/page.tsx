import Link from 'next/link';
import { redirect } from 'next/navigation';
import { createSupabaseServerClient } from '@/lib/supabase/server';

export default async function DashboardPage() {
  const supabase = await createSupabaseServerClient();
  const {
    data: { user },
    error: authError,
  } = await supabase.auth.getUser();
  if (authError || !user) redirect('/login');

  const { data: convs, error: convError } = await supabase
    .from('conversations')
    .select('id, title, updated_at')
    .eq('user_id', user.id)
    .order('updated_at', { ascending: false });
  if (convError) throw convError;

  const threads = [];
  for (const c of convs ?? []) {
    const { data: messages, error: msgError } = await supabase
      .from('messages')
      .select('*')
      .eq('conversation_id', c.id);
    if (msgError) throw msgError;
    threads.push({ ...c, messageCount: messages.length, lastMessage: messages.at(-1)?.content });
  }

  const { data: recent, error: genError } = await supabase
    .from('generations')
    .select('id, prompt, current_streak')
    .eq('user_id', user.id)
    .limit(12);
  if (genError) throw genError;

  return (
    <main className="mx-auto max-w-5xl space-y-10 p-8">
      <section>
        <h1 className="text-2xl font-semibold">Your studio</h1>
        <p className="text-sm text-muted-foreground">
          {recent?.[0]?.current_streak ?? 0}-day creation streak
        </p>
      </section>

      <section>
        <h2 className="mb-3 text-lg font-medium">Conversations</h2>
        <ul className="divide-y rounded-md border">
          {threads.map((t) => (
            <li key={t.id} className="p-3">
              <Link href={`/chat/${t.id}`} className="font-medium">
                {t.title}
              </Link>
              <span className="ml-2 text-xs text-muted-foreground">{t.messageCount} messages</span>
              {t.lastMessage && <p className="truncate text-sm">{t.lastMessage}</p>}
            </li>
          ))}
        </ul>
      </section>

      <section>
        <h2 className="mb-3 text-lg font-medium">Recent generations</h2>
        <ul className="grid grid-cols-3 gap-4">
          {recent?.map((g) => (
            <li key={g.id} className="rounded-md border p-3 text-sm">
              {g.prompt}
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}
