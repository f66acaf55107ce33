import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
import { defaultDatabaseUrl } from './src/config/database-url';

// Prisma 6.19's CLI runs its WebAssembly schema engine through this driver adapter, so no native engine
// is downloaded (see shared STACK.md).
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL ?? defaultDatabaseUrl }),
});
