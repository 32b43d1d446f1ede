export type SubscriptionTier = 'FREE' | 'PRO' | 'ELITE';

export interface Profile {
  id: string;
  display_name: string | null;
  subscription_tier: SubscriptionTier;
  credits: number;
}

export interface Habit {
  id: string;
  user_id: string;
  task_id: string | null;
  title: string;
  frequency: 'daily' | 'weekly';
  is_active: boolean;
  current_streak?: number;
  last_completed?: string;
}

export interface HabitCompletion {
  id: string;
  habit_id: string;
  completed_at: string;
  note: string | null;
}
