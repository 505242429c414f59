import { connect, destroyClients } from '../../../src/aws/clients.js';
import type { Aws } from '../../../src/core/aws.js';

/**
 * The tool's own clients (aws/clients.ts, with its retries, path-style S3 and user agent), pointed
 * straight at moto, one set per region. Straight, not through a test's proxy: what the tests set
 * up and read back stays out of the request log, which then holds only what the CLI sent.
 */
export class EmulatorClients {
  private readonly byRegion = new Map<string, Aws>();

  constructor(private readonly endpoint: string) {}

  /** Connects as the CLI does (STS says which account moto plays). */
  async connect(region: string): Promise<Aws> {
    let aws = this.byRegion.get(region);
    if (!aws) {
      aws = await connect({ region, endpointUrl: this.endpoint });
      this.byRegion.set(region, aws);
    }
    return aws;
  }

  in(region: string): Aws {
    const aws = this.byRegion.get(region);
    if (!aws) throw new Error(`no clients in ${region}: name it in useEmulator({ regions })`);
    return aws;
  }

  destroy(): void {
    for (const aws of this.byRegion.values()) destroyClients(aws);
    this.byRegion.clear();
  }
}
