/**
 * The mcp-switchboard command. It starts in steps, because the time until a
 * backend's tools are listed is what users feel: first the command line
 * (--version and --help load nothing else), then the registry, whose stdio
 * backends are started at once (cliStart), and only then the engine (the MCP
 * SDK and the rest, about a hundred milliseconds of loading), while those
 * backends boot (cliServe).
 */
import { version } from '../../../package.json';
import { parseCliArguments, USAGE, UsageError } from './arguments';

async function main(argv: readonly string[]): Promise<void> {
  const options = parseCliArguments(argv);
  if (options === 'help') return void process.stdout.write(`${USAGE}\n`);
  if (options === 'version') return void process.stdout.write(`${version}\n`);
  if (options === 'rotate-token') {
    const [{ rotateToken }, { userFiles }] = await Promise.all([import('../../core/user/persistentToken'), import('../../core/user/userFiles')]);
    const path = userFiles().token;
    await rotateToken(path);
    return void process.stdout.write(`A new token is in ${path}. The user's switchboard takes it at once and refuses the old one; connect follows by itself, other clients need the new one.\n`);
  }
  if (options.command === 'connect') {
    const { connect } = await import('../bridge/connect');
    return await connect(options);
  }
  const { start } = await import('./start');
  await start(options);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`mcp-switchboard: ${error.message}\nRun mcp-switchboard --help for the options.\n`);
    process.exit(2);
  }
  process.stderr.write(`mcp-switchboard: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
