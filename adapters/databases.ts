/**
 * The national databases the gateway federates. Each one's tables live in a PostgreSQL schema
 * of the same name, whether it has a database of its own or shares one with the others.
 */
export const NATIONAL_DATABASES = [
  'population',
  'enterprise',
  'land',
  'insurance',
  'civil_service',
  'reference',
  'finance',
] as const;
export type DatabaseName = (typeof NATIONAL_DATABASES)[number];
