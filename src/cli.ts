#!/usr/bin/env -S node --max-semi-space-size=4 --heap-growing-percent=30
/**
 * The executable: `provisioner` (dist/cli.js). Everything else lives in cli/main.ts, which tests
 * import without running it.
 *
 * The first line starts Node with two garbage collector settings (the image's entry point has the
 * same): a young generation of at most 4 MiB per semi-space (16 by default), and an old generation
 * that grows by 30% past what a full collection kept (by default up to fourfold). Each request in
 * flight holds many short-lived objects (the SDK's middleware, a connection, its parser) that
 * outlive a collection or two and then pile up in a heap allowed to grow: uploading 2,000 files of
 * 16 KiB peaked at 150 MiB RSS, and at 106 MiB with these settings, for about a sixth more CPU
 * time; 8 files of 64 MiB at 132 and 117 MiB.
 */
import { main } from './cli/main.js';

/**
 * The SDK warns at every start under Node 20 that its releases after January 2027 need Node 22.
 * This tool pins its SDK version and supports Node 20, so the notice would only be noise here.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.exitCode = await main(process.argv.slice(2));
