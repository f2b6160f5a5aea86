/** ISO 8601 text of a date, or null. */
export function iso(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

/** The DAG processor writes owners as one comma-separated string; Airflow's API answers a list. */
export function splitOwners(owners: string | null): string[] {
  return owners ? owners.split(',').map((o) => o.trim()).filter((o) => o !== '') : [];
}

/** Airflow's file token names the file without the client seeing a path it could pass back. */
export function fileToken(fileloc: string): string {
  return Buffer.from(fileloc).toString('base64url');
}
