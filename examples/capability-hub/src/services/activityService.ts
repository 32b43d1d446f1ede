import { supabase } from '../lib/supabase';

const THIRTY_DAYS_MS = 30 * 24 * 60 * 60 * 1000;

/** The activity feed: what the review's idx_recent_activities was meant to serve. */
export async function recentActivity(userId: string) {
  const since = new Date(Date.now() - THIRTY_DAYS_MS).toISOString();
  const { data, error } = await supabase
    .from('user_activity_log')
    .select('id, activity_type, entity_type, entity_id, details, timestamp')
    .eq('user_id', userId)
    .gte('timestamp', since)
    .order('timestamp', { ascending: false })
    .limit(50);
  if (error) throw error;
  return data ?? [];
}

export async function logActivity(userId: string, activityType: string, entityType: string, entityId: string) {
  await supabase.from('user_activity_log').insert({
    user_id: userId,
    activity_type: activityType,
    entity_type: entityType,
    entity_id: entityId,
  });
}
