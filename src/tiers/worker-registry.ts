import { Injectable } from '@nestjs/common';
import { QueuesService } from '../jobs/queues.service';
import { scanNodes } from '../jobs/redis';

export interface WorkerHeartbeat {
  id: string;
  tier: string | null;
  queues: string[];
  host: string;
  pid: number;
  cpuModel: string;
  cores: number;
  device: string | null;
  envelopeMethod: string;
  version: string;
  startedAt: string;
  seenAt: string;
}

const TTL_SECONDS = 30;

/** Live workers, as heartbeats in Redis that expire when a worker stops beating. */
@Injectable()
export class WorkerRegistry {
  constructor(private readonly queues: QueuesService) {}

  private key(id: string): string {
    return `${this.queues.prefix}:workers:${id}`;
  }

  async beat(heartbeat: WorkerHeartbeat): Promise<void> {
    await this.queues.connection.set(this.key(heartbeat.id), JSON.stringify(heartbeat), 'EX', TTL_SECONDS);
  }

  async remove(id: string): Promise<void> {
    await this.queues.connection.del(this.key(id));
  }

  async live(): Promise<WorkerHeartbeat[]> {
    const keys: string[] = [];
    for (const node of await scanNodes(this.queues.connection)) {
      let cursor = '0';
      do {
        const [next, batch] = await node.scan(cursor, 'MATCH', this.key('*'), 'COUNT', 200);
        keys.push(...batch);
        cursor = next;
      } while (cursor !== '0');
    }
    if (keys.length === 0) return [];
    const values = await this.queues.connection.mget(keys);
    return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as WorkerHeartbeat);
  }
}
