import { fileURLToPath } from 'node:url';

/** Places in the checkout the integration tests run from, found from this file so the working folder does not matter. */
const inRepo = (relative: string): string => fileURLToPath(new URL(`../../../${relative}`, import.meta.url));

/** The built CLI (`npm run build`): the tests run what a user runs. */
export const CLI = inRepo('dist/cli.js');
/** The Glue job's scripts, as `up` sends them. */
export const JOB_DIR = inRepo('glue-job');
/** The real raw data (flights and airports). */
export const RAW_DATA_DIR = inRepo('rawdata');
/** The Python with pyspark that `run --local` is pointed at. */
export const VENV_PYTHON = inRepo('.venv/bin/python');
