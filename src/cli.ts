#!/usr/bin/env node
/**
 * The executable: `provisioner` (dist/cli.js). Everything else lives in cli/main.ts, which tests
 * import without running it.
 */
import { main } from './cli/main.js';

/**
 * The SDK warns at every start under Node 20 that its releases after January 2027 need Node 22.
 * This tool pins its SDK version and supports Node 20, so the notice would only be noise here.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.exitCode = await main(process.argv.slice(2));
