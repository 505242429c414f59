import { LEAST_SCAN_LIMIT_MB, MOST_SCAN_LIMIT_MB } from '../core/athena.js';
import { EXECUTION_CLASSES, GLUE_VERSIONS, WORKER_TYPES } from '../core/glue.js';
import { LOG_FORMATS, LOG_LEVELS } from '../core/logger.js';
import { START_ON, type Settings } from '../core/settings.js';
import { assertKmsKey, assertRoleArn, assertTopicArn, endpointUrl, region } from './aws-values.js';
import { badRowLimit, contractFile } from './contract-values.js';
import { emailAddresses } from './emails.js';
import { glueVersion, pythonModules, sparkMemory } from './job-values.js';
import { assertBucketName, stackName } from './names.js';
import { option, type OptionSpec } from './option-spec.js';
import { arrivalMarker } from './arrival.js';
import { parseSchedule } from './schedule.js';
import { awsVariable, directory, integer, oneOf, optionalString, positive, text, validated, yesOrNo } from './values.js';

/**
 * The one table of options: the CLI's flags and --help, their variables, config keys, defaults and
 * README.md's list all derive from it, so an option is declared once; the compiler holds it to one
 * entry per field of Settings. Its order is the order of --help within a group, and of README.md.
 */
export const OPTIONS = {
  name: option({
    flag: 'name', type: 'string', group: 'Stack:', default: 'flight-delays',
    describe: 'Stack name; every resource name derives from it',
    doc: 'stack name (2–32 lowercase letters, digits, hyphens); all resource names derive from it',
    parse: (value) => stackName(text(value, 'name')),
  }),
  region: option({
    flag: 'region', type: 'string', group: 'Stack:', unset: '`AWS_REGION` / profile',
    describe: 'AWS region (default: AWS_REGION or the profile)',
    doc: "AWS region; one the AWS SDK's partition data lists (`aws account list-regions` shows yours), also with `--endpoint-url`, as moto and LocalStack serve known regions only",
    // Undefined: the SDK's own chain (AWS_REGION, profile) decides.
    parse: (value, { env }) => region(optionalString(value, 'region') ?? awsVariable(env.AWS_REGION) ?? awsVariable(env.AWS_DEFAULT_REGION)),
  }),
  endpointUrl: option({
    flag: 'endpoint-url', type: 'string', group: 'Stack:', unset: '`AWS_ENDPOINT_URL`',
    describe: 'AWS endpoint, e.g. a local emulator (default: AWS_ENDPOINT_URL)',
    doc: 'another AWS endpoint, e.g. a local emulator; a password in it is shown as `****`',
    parse: (value, { env }) => endpointUrl(optionalString(value, 'endpoint-url') ?? awsVariable(env.AWS_ENDPOINT_URL)),
  }),
  bucket: option({
    flag: 'bucket', type: 'string', group: 'Stack:', unset: '`<name>-<account>-<region>`',
    describe: 'Bucket name (default: <name>-<account>-<region>)',
    doc: 'bucket name',
    parse: (value) => validated(optionalString(value, 'bucket'), assertBucketName),
  }),
  dataDir: option({
    flag: 'data-dir', type: 'string', group: 'Stack:', default: './rawdata',
    describe: 'Raw data to upload under raw/',
    doc: 'raw data to upload under `raw/`',
    parse: (value, { cwd }) => directory(value, 'data-dir', cwd),
  }),
  jobDir: option({
    flag: 'job-dir', type: 'string', group: 'Stack:', default: './glue-job',
    describe: 'Glue job scripts to upload under scripts/',
    doc: 'the job: `job.py` and its modules, uploaded under `scripts/`',
    parse: (value, { cwd }) => directory(value, 'job-dir', cwd),
  }),
  contract: option({
    flag: 'contract', type: 'string', group: 'Stack:', unset: '`<data-dir>/contract.json`',
    describe: 'The data contract the raw files are checked against before any upload (default: contract.json in --data-dir)',
    doc: "the data contract (README: The data contract): a Frictionless Data Package of the raw tables that `plan`, `up` and `check` hold every file of `--data-dir` to before anything is uploaded. It is never uploaded itself. Without this option and without a `contract.json` in `--data-dir`, nothing is checked (a warning says so); a `--contract` that does not exist stops the command with exit 2",
    parse: (value, { cwd }) => contractFile(value, cwd),
  }),
  maxBadRows: option({
    flag: 'max-bad-rows', type: 'string', group: 'Stack:', default: '0.1%',
    describe: 'Rows of a file that may break the contract before it is refused: a count (25) or a share of its rows (0.1%)',
    doc: "rows of one file that may break the contract before the file is refused (exit 2, nothing uploaded): a whole number of rows (`0`, `25`), or a share of the file's rows from `0%` to `100%`, rounded down (`0.1%` of 508,239 rows is 508). Rows within it are uploaded, and the job quarantines them; `plan` says how many. A wrong header refuses a file whatever this says",
    parse: (value) => badRowLimit(value),
  }),
  schedule: option({
    flag: 'schedule', type: 'string', group: 'Pipeline:', default: 'quarterly',
    describe: 'quarterly, monthly, weekly, daily or cron(...) in UTC',
    doc: '`quarterly`, `monthly`, `weekly`, `daily`, or a Glue `cron(Min Hour Day Month Weekday Year)` in UTC; quarterly is `cron(0 6 1 1,4,7,10 ? *)`. Checked as Glue does before anything is created: runs at least 5 minutes apart, no step of 0, dates that exist (not 31 February), years 1970–2199 and not backwards, and a run left from now on',
    parse: (value) => parseSchedule(text(value, 'schedule')),
  }),
  startOn: option({
    flag: 'start-on', type: 'string', group: 'Pipeline:', default: 'schedule', choices: START_ON,
    describe: 'What starts a pipeline run: the --schedule, or the arrival of a delivery (its --arrival-marker under raw/)',
    doc: "`schedule`: a scheduled trigger starts the crawl on `--schedule`. `arrival`: the crawl starts when an object named `--arrival-marker` is written under `raw/` (the bucket sends its events to EventBridge, a rule `<name>-on-arrival` passes the marker's to the workflow's event trigger); `up` writes the marker itself after the files it uploaded, and only when it uploaded some. One run at a time either way; switching converges in place",
    parse: (value) => oneOf(value, 'start-on', START_ON),
  }),
  arrivalMarker: option({
    flag: 'arrival-marker', type: 'string', group: 'Pipeline:', default: '_DELIVERED',
    describe: 'With --start-on arrival: the object name that, written under raw/, says a delivery is complete',
    doc: 'with `--start-on arrival`, the name of the object that marks a delivery complete, at `raw/NAME` or `raw/…/NAME`: 1–64 letters, digits, `.`, `_` or `-`, starting with `_` or `.` (names the crawler and Spark skip, so the marker is never read as data)',
    parse: (value) => arrivalMarker(text(value, 'arrival-marker')),
  }),
  roleArn: option({
    flag: 'role-arn', type: 'string', group: 'Pipeline:', unset: 'create one',
    describe: 'Use this IAM role for Glue instead of creating one',
    doc: 'an existing role for the crawler and job (must be in the same account)',
    parse: (value) => validated(optionalString(value, 'role-arn'), assertRoleArn),
  }),
  kmsKey: option({
    flag: 'kms-key', type: 'string', group: 'Pipeline:', unset: 'SSE-S3',
    describe: 'Encrypt the bucket with this KMS key (default: SSE-S3)',
    doc: "KMS key for the bucket's default encryption: key id, key ARN, `alias/NAME` or alias ARN, kept as given there; resolved with `DescribeKey` to its key ARN, which the role's policy names (IAM matches a key only by its key ARN); a key KMS does not know stops the command with exit 2 before anything is created",
    parse: (value) => validated(optionalString(value, 'kms-key'), assertKmsKey),
  }),
  workerType: option({
    flag: 'worker-type', type: 'string', group: 'Pipeline:', default: 'G.1X', choices: WORKER_TYPES,
    describe: 'Glue worker type',
    doc: WORKER_TYPES.map((type) => `\`${type}\``).join(', ').replace(/, ([^,]*)$/, ' or $1'),
    parse: (value) => oneOf(value, 'worker-type', WORKER_TYPES),
  }),
  workers: option({
    flag: 'workers', type: 'number', group: 'Pipeline:', default: 'auto',
    describe: 'Number of Glue workers (2 to 299), or auto: one per started 256 MiB of raw data plus the driver, 2 to 20',
    doc: 'number of workers (2–299), or `auto`: one for the driver plus one per started 256 MiB of the raw data `up` uploads from `--data-dir`, at least 2 and at most 20 (700 MiB: 4). Gzip CSV cannot be split, so the job spreads the rows right after reading them: the count follows the volume of data, not the number of files. `plan` and `up` show the count and why, and the cost estimate uses it; the same data always gives the same count',
    // Undefined: `up` chooses the count from the raw data it uploads (resources/job.ts, chooseWorkers).
    parse: (value) => (value === 'auto' ? undefined : integer(value, 'workers', 2, 299, ', or auto')),
  }),
  jobTimeoutMinutes: option({
    flag: 'job-timeout', type: 'number', group: 'Pipeline:', default: 120,
    describe: 'Job timeout in minutes',
    doc: 'job timeout in minutes',
    parse: (value) => integer(value, 'job-timeout', 1, 2880),
  }),
  glueVersion: option({
    flag: 'glue-version', type: 'string', group: 'Pipeline:', default: '5.0',
    describe: `Glue version of the job: ${GLUE_VERSIONS.join(' or ')}`,
    doc: '`5.0` (Spark 3.5.4) or `5.1` (Spark 3.5.6), both Python 3.11; or `6.0` (Spark 4.1.1, Python 3.13); `run --local` needs a PySpark of the same line (see [Glue versions](#glue-versions))',
    // No yargs choices: a config file may give the version as the number 5.1 or 6.
    parse: (value) => glueVersion(value),
  }),
  executionClass: option({
    flag: 'execution-class', type: 'string', group: 'Pipeline:', default: 'STANDARD', choices: EXECUTION_CLASSES,
    describe: 'STANDARD, or FLEX: spare capacity at a lower price, runs may start later (G.1X and G.2X only)',
    doc: '`STANDARD`, or `FLEX`: Glue runs the job on spare capacity at a lower price, and a run may wait to start; Glue offers Flex on `G.1X` and `G.2X` workers only, so another `--worker-type` is refused',
    parse: (value) => oneOf(value, 'execution-class', EXECUTION_CLASSES),
  }),
  pythonModules: option({
    flag: 'python-modules', type: 'string', group: 'Pipeline:', unset: 'none',
    describe: 'Extra Python packages for the job, pip specs separated by commas (e.g. "pyarrow==17.0.0,rapidfuzz>=3")',
    doc: "extra packages pip-installs before the job starts (Glue's `--additional-python-modules`): comma-separated `NAME`, `NAME==VERSION` (or `>=`, `<=`, `~=`, `!=`, `>`, `<`), `NAME[EXTRA]==VERSION`, or `s3://BUCKET/KEY.whl`; one version clause each, as the list itself is split on commas",
    parse: (value) => pythonModules(optionalString(value, 'python-modules')),
  }),
  jobRunQueuing: option({
    flag: 'job-run-queuing', type: 'boolean', group: 'Pipeline:', default: false,
    describe: 'Let Glue queue a run that would exceed account limits instead of failing it',
    doc: "Glue job run queuing: a run that would exceed the account's limits waits (`WAITING`) instead of failing; Flex runs wait for capacity either way",
    parse: (value) => yesOrNo(value, 'job-run-queuing'),
  }),
  maxUsd: option({
    flag: 'max-usd', type: 'number', group: 'Pipeline:', unset: 'none',
    describe: "Most a job run may cost, in USD: the job's timeout is derived from it and the workers",
    doc: "the most one job run may cost, in USD at list prices: the job's timeout becomes the whole minutes its workers can run for that (never more than `--job-timeout`), so Glue stops a run before it costs more; `plan` shows the ceiling and refuses one below the cost of Glue's 1-minute minimum; `status` and `report` show each run's cost beside it, and a run it stopped ends `run --wait` and `cycle` with exit 3 and alerts as stopped by the cost ceiling",
    parse: (value) => (value === undefined || value === null ? undefined : positive(value, 'max-usd', 1_000_000)),
  }),
  driftThreshold: option({
    flag: 'drift-threshold', type: 'number', group: 'Pipeline:', default: 0.2,
    describe: 'Population stability index above which status and report name a feature as drifted from the quarter before',
    doc: "the population stability index (PSI) of a feature against the quarter before above which `status` names it as drifted and `report`'s drift chart marks it; `up` gives it to the job, which writes a drift alert above it, sent to the alert topic with `--notify` or `--notify-topic-arn`; the job profiles every quarter's features under `processed/drift/` (0.1 is a shift worth a look, 0.2 and above a different population)",
    parse: (value) => positive(value, 'drift-threshold', 100),
  }),
  expectedMinutes: option({
    flag: 'expected-minutes', type: 'number', group: 'Pipeline:', unset: 'last successful run, else 15',
    describe: "Minutes a job run takes, for the cost estimate (default: the last successful run's, else 15)",
    doc: 'minutes a job run takes, for the cost estimate only',
    parse: (value) => (value === undefined || value === null ? undefined : positive(value, 'expected-minutes', 2880)),
  }),
  sparkMemory: option({
    flag: 'spark-memory', type: 'string', group: 'Pipeline:', default: 'auto',
    describe: "Memory of local Spark for run --local and cycle --local: auto (60% of this machine's) or a size such as 4g or 1536m, at least 1g",
    doc: "memory of local Spark for `run --local` and `cycle --local`: `auto` is 60% of this machine's memory in whole GiB rounded down (at least 1 GiB), or a JVM size such as `4g`, `1536m` or `16g` (`k`, `m`, `g` or `t`; at least `1g`). Passed as `--driver-memory`: in local mode the driver's JVM runs every task",
    // Undefined: run/local-run.ts sizes it to the machine it runs on.
    parse: (value) => sparkMemory(value),
  }),
  retentionDays: option({
    flag: 'retention-days', type: 'number', group: 'Stack:', default: 30,
    describe: 'Days before objects under tmp/, spark-logs/ and athena-results/ expire; 0 keeps them',
    doc: "days before objects under `tmp/` (Glue's scratch files), `spark-logs/` (Spark UI event logs) and `athena-results/` (the results of queries in the stack's Athena workgroup) expire, old versions included; `0` keeps them",
    parse: (value) => integer(value, 'retention-days', 0, 3650),
  }),
  athenaScanLimitMb: option({
    flag: 'athena-scan-limit-mb', type: 'number', group: 'Stack:', default: 10240,
    describe: "Most a query in the stack's Athena workgroup may scan, in MB (at least 10)",
    doc: "the most data one query in the stack's Athena workgroup may scan, in MB of 1,000,000 bytes as Athena counts them (at least 10, Athena's least limit; at most 1,000,000,000): Athena cancels a query that reaches it, so one query never bills more than its scan (at $5 per TB, the default 10,240 MB is about 5 cents). A change updates the workgroup in place",
    parse: (value) => integer(value, 'athena-scan-limit-mb', LEAST_SCAN_LIMIT_MB, MOST_SCAN_LIMIT_MB, " MB; Athena's least per-query limit is 10 MB"),
  }),
  prune: option({
    flag: 'prune', type: 'boolean', group: 'Pipeline:', default: false,
    describe: 'Delete uploaded files that no longer exist locally',
    doc: 'delete uploaded files that no longer exist locally (otherwise they stay)',
    parse: (value) => yesOrNo(value, 'prune'),
  }),
  notify: option({
    flag: 'notify', type: 'string', group: 'Monitoring:', unset: 'none',
    describe: 'Email this address when a run fails, times out or is stopped (repeatable)',
    doc: 'email this address when a job run fails, times out, is stopped or errors, or a crawl fails; repeat it for more addresses (`PROVISIONER_NOTIFY` and the config file take a comma-separated list, or a list)',
    // Given several times, yargs hands over a list; PROVISIONER_NOTIFY holds them comma-separated.
    parse: (value) => emailAddresses(value),
  }),
  notifyTopicArn: option({
    flag: 'notify-topic-arn', type: 'string', group: 'Monitoring:', unset: 'none',
    describe: 'Send failed runs to this SNS topic of yours instead (never changed here)',
    doc: 'send those alerts to this SNS topic of yours instead (same region; a standard topic); cannot go with `--notify`',
    parse: (value) => validated(optionalString(value, 'notify-topic-arn'), assertTopicArn),
  }),
  dashboard: option({
    flag: 'dashboard', type: 'boolean', group: 'Monitoring:', default: false,
    describe: "A CloudWatch dashboard of the job's metrics and the crawler's runs",
    doc: 'a CloudWatch dashboard of the job and crawler',
    parse: (value) => yesOrNo(value, 'dashboard'),
  }),
  maxRequests: option({
    flag: 'max-requests', type: 'number', group: 'Transfer:', default: 32,
    describe: 'Requests to S3 in flight at once, across files and parts',
    doc: 'requests to S3 in flight at once, across all files and parts (1–256)',
    parse: (value) => integer(value, 'max-requests', 1, 256),
  }),
  // By default three 8 MiB parts in flight: far above the bandwidth-delay product of a 1 Gbit/s link
  // at 30 ms (about 4 MB), and measured as fast as 48 or 80 (see README, Uploads) with less memory.
  maxMemoryMib: option({
    flag: 'max-memory', type: 'number', group: 'Transfer:', default: 24,
    describe: 'MiB of file contents held in memory at once while transferring (at least one 8 MiB part)',
    doc: 'MiB of file contents held in memory at once while transferring (8–4096)',
    parse: (value) => integer(value, 'max-memory', 8, 4096),
  }),
  // Up to the default, one PUT per file spares each file a multipart upload's two extra requests and
  // the assembly of its parts at completion; many files in flight at once keep the link busy all the
  // same. Past it, parts let a single large file use many connections and retry 8 MiB, not the file.
  multipartThresholdMib: option({
    flag: 'multipart-threshold', type: 'number', group: 'Transfer:', default: 64,
    describe: 'MiB above which a file is sent in 8 MiB parts; one up to it goes in one request, streamed from disk',
    doc: 'MiB above which a file is sent in 8 MiB parts; a file up to it goes in one request, streamed from disk (8–5120)',
    parse: (value) => integer(value, 'multipart-threshold', 8, 5120),
  }),
  logLevel: option({
    flag: 'log-level', type: 'string', group: 'Output:', default: 'info', choices: LOG_LEVELS,
    describe: 'How much to log on stderr',
    doc: LOG_LEVELS.map((level) => `\`${level}\``).join(', '),
    parse: (value) => oneOf(value, 'log-level', LOG_LEVELS),
  }),
  logFormat: option({
    flag: 'log-format', type: 'string', group: 'Output:', default: 'pretty', choices: LOG_FORMATS,
    describe: 'Log lines for people, or one JSON object per line',
    doc: LOG_FORMATS.map((format) => `\`${format}\``).join(' or '),
    parse: (value) => oneOf(value, 'log-format', LOG_FORMATS),
  }),
  json: option({
    flag: 'json', type: 'boolean', group: 'Output:', default: false,
    describe: 'Print a machine-readable result on stdout',
    doc: 'machine-readable result on stdout',
    parse: (value) => yesOrNo(value, 'json'),
  }),
} satisfies { readonly [K in keyof Settings]: OptionSpec<Settings[K]> };
