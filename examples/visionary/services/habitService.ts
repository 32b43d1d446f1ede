import { supabase } from '../lib/supabase';
import type { Habit, HabitCompletion } from '../types';

export async function listHabits(userId: string): Promise<Habit[]> {
  const { data, error } = await supabase
    .from('habits')
    .select('id, user_id, task_id, title, frequency, is_active, current_streak, last_completed')
    .eq('user_id', userId)
    .eq('is_active', true)
    .order('created_at', { ascending: true });
  if (error) throw error;

  return (data ?? []).map((row) => ({
    ...row,
    current_streak: row.current_streak || 0,
    last_completed: row.last_completed,
  }));
}

export async function completeHabit(habitId: string, userId: string, note?: string) {
  const { error } = await supabase.from('habit_completions').insert({
    habit_id: habitId,
    user_id: userId,
    completed_at: new Date().toISOString(),
    note: note ?? null,
  });
  if (error) throw error;
}

export async function recentCompletions(habitId: string): Promise<HabitCompletion[]> {
  const { data, error } = await supabase
    .from('habit_completions')
    .select('id, habit_id, completed_at, note')
    .eq('habit_id', habitId)
    .order('completed_at', { ascending: false })
    .limit(30);
  if (error) throw error;
  return data ?? [];
}
