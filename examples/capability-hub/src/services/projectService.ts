import { supabase } from '../lib/supabase';
import { DatabaseError, DatabaseErrorCode } from './errors';

export interface CreateProjectRequest {
  organization_id: string;
  owner_id: string;
  name: string;
  description?: string;
}

export interface Project extends CreateProjectRequest {
  id: string;
  status: string;
  created_at: string;
}

export class ProjectService {
  async createProject(data: CreateProjectRequest): Promise<Project> {
    try {
      const { data: project, error } = await supabase
        .from('projects')
        .insert(data)
        .select()
        .single();

      if (error) {
        throw new DatabaseError('Failed to create project', error.code as DatabaseErrorCode, error);
      }

      return project;
    } catch (error) {
      this.handleDatabaseError(error);
    }
  }

  async listOrganizationProjects(organizationId: string, status = 'active'): Promise<Project[]> {
    const { data, error } = await supabase
      .from('projects')
      .select('id, organization_id, owner_id, name, description, status, created_at')
      .eq('organization_id', organizationId)
      .eq('status', status)
      .order('created_at', { ascending: false });
    if (error) throw new DatabaseError('Failed to list projects', error.code as DatabaseErrorCode, error);
    return data ?? [];
  }

  async addMember(projectId: string, userId: string, role: 'admin' | 'editor' | 'viewer') {
    const { error } = await supabase
      .from('project_members')
      .insert({ project_id: projectId, user_id: userId, role });
    if (error) throw new DatabaseError('Failed to add member', error.code as DatabaseErrorCode, error);
  }

  private handleDatabaseError(error: any): never {
    if (error instanceof DatabaseError) {
      throw error;
    }

    switch (error.code) {
      case DatabaseErrorCode.UNIQUE_VIOLATION:
        throw new DatabaseError('Project name already exists', error.code);
      case DatabaseErrorCode.FOREIGN_KEY_VIOLATION:
        throw new DatabaseError('Invalid organization reference', error.code);
      default:
        throw new DatabaseError('Database operation failed', error.code);
    }
  }
}
