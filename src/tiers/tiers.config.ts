import { Injectable } from '@nestjs/common';
import { configuredTiers, type TierProfile } from '../benchmark/tiers';

/** The deployment's tier profiles (defaults scaled to the host, overridden by TIERWISE_TIERS / TIERWISE_TIERS_FILE). */
@Injectable()
export class TiersConfig {
  private readonly profiles = configuredTiers();

  names(): string[] {
    return Object.keys(this.profiles);
  }

  all(): TierProfile[] {
    return Object.values(this.profiles);
  }

  get(name: string): TierProfile | undefined {
    return this.profiles[name];
  }
}
