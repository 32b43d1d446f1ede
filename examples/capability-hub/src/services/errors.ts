export enum DatabaseErrorCode {
  FOREIGN_KEY_VIOLATION = '23503',
  UNIQUE_VIOLATION = '23505',
  CHECK_VIOLATION = '23514',
  NOT_NULL_VIOLATION = '23502',
}

export class DatabaseError extends Error {
  constructor(
    message: string,
    public code: DatabaseErrorCode,
    public details?: unknown,
  ) {
    super(message);
    this.name = 'DatabaseError';
  }
}
