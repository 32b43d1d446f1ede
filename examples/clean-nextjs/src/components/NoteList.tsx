'use client';

import { useTransition } from 'react';

import { deleteNote } from '@/app/notes/actions';

type Note = {
  id: number;
  title: string;
  body: string;
  created_at: string;
  author: { display_name: string | null } | null;
};

export function NoteList({ notes }: { notes: Note[] }) {
  const [pending, startTransition] = useTransition();
  if (notes.length === 0) return <p>No notes yet.</p>;
  return (
    <ul>
      {notes.map((note) => (
        <li key={note.id}>
          <h2>{note.title}</h2>
          <p>{note.body}</p>
          <button disabled={pending} onClick={() => startTransition(() => void deleteNote(note.id))}>
            Delete
          </button>
        </li>
      ))}
    </ul>
  );
}
