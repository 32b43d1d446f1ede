-- Storage buckets: public avatars, private training uploads

insert into storage.buckets (id, name, public) values ('avatars', 'avatars', true);

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values (
  'training-data',
  'training-data',
  false,
  52428800,
  array['image/png', 'image/jpeg', 'image/webp']
);

-- Public read, authenticated upload into the user's own folder
create policy "Avatar images are publicly accessible" on storage.objects
  for select using (bucket_id = 'avatars');

create policy "Users can upload their own avatar" on storage.objects
  for insert with check (
    bucket_id = 'avatars'
    and auth.role() = 'authenticated'
    and (storage.foldername(name))[1] = auth.uid()::text
  );

-- Private training images: owner only
create policy "Users can read own training images" on storage.objects
  for select to authenticated
  using (
    bucket_id = 'training-data'
    and (storage.foldername(name))[1] = (select auth.uid())::text
  );

create policy "Users can upload training images" on storage.objects
  for insert to authenticated
  with check (
    bucket_id = 'training-data'
    and (storage.foldername(name))[1] = (select auth.uid())::text
  );
