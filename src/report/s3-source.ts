/** The stack's `processed/` prefix in S3 as a report source. */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { ProvisionerError, describeCause } from '../core/errors.js';
import { locate, type ReportSource } from './source.js';

export class S3Source implements ReportSource {
  private readonly prefix: string;

  /** `prefix` is the root inside the bucket, e.g. `processed/` ('' for the whole bucket). */
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    prefix: string,
  ) {
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  }

  describe(): string {
    return `s3://${this.bucket}/${this.prefix}`;
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.send(`list ${this.describe()}${prefix}`, () =>
        this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken: token }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key && !object.Key.endsWith('/')) keys.push(object.Key.slice(this.prefix.length));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async read(key: string): Promise<string> {
    const object = await this.send(`read ${locate(this, key)}`, () =>
      this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key })),
    );
    if (!object.Body) throw new ProvisionerError(`cannot read ${locate(this, key)}: empty response`);
    return object.Body.transformToString('utf-8');
  }

  private async send<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new ProvisionerError(`cannot ${what}: ${describeCause(error)}`, 'aws', { cause: error });
    }
  }
}
