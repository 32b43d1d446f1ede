-- Local development seed: one demo user (the on_auth_user_created trigger
-- creates the profile row) and a couple of generations.
insert into auth.users (instance_id, id, aud, role, email, raw_user_meta_data, created_at, updated_at)
values (
  '00000000-0000-0000-0000-000000000000',
  'd0d0d0d0-0000-4000-8000-000000000001',
  'authenticated',
  'authenticated',
  'demo@studio.local',
  '{"full_name": "Demo User"}',
  now(),
  now()
);

insert into public.generations (user_id, model, prompt, status, is_public)
values
  ('d0d0d0d0-0000-4000-8000-000000000001', 'flux-dev', 'a lighthouse at dusk, oil painting', 'completed', true),
  ('d0d0d0d0-0000-4000-8000-000000000001', 'sdxl', 'isometric cozy reading nook', 'pending', false);
