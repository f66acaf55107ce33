import { Injectable } from '@nestjs/common';
import { slowdown, slowdownFormula, type TierProfile } from '../benchmark/tiers';
import { TiersConfig } from './tiers.config';
import { WorkerRegistry, type WorkerHeartbeat } from './worker-registry';

export interface TierView extends TierProfile {
  slowdown: number;
  slowdownFormula: string;
  workers: WorkerHeartbeat[];
  warnings: string[];
}

@Injectable()
export class TiersService {
  constructor(
    private readonly config: TiersConfig,
    private readonly registry: WorkerRegistry,
  ) {}

  async list(): Promise<TierView[]> {
    const workers = await this.registry.live();
    return this.config.all().map((tier) => {
      const mine = workers.filter((w) => w.tier === tier.name);
      const warnings: string[] = [];
      if (mine.length === 0) warnings.push(`no live worker consumes the ${tier.name} queue: its measurements will wait`);
      if (mine.some((w) => w.envelopeMethod === 'none'))
        warnings.push('a worker cannot enforce pinning or memory limits: its figures are unconstrained');
      return { ...tier, slowdown: slowdown(tier), slowdownFormula: slowdownFormula(tier), workers: mine, warnings };
    });
  }
}
