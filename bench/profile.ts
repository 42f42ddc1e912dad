// Summarizes .cpuprofile files (from `npm run bench -- --profile`, or `node --cpu-prof`):
//   npx tsx bench/profile.ts <file.cpuprofile>... [--top 25]
import { formatSummary, summarizeFile } from './lib/profile.js';

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 20;
if (args.length === 0) {
  console.error('usage: tsx bench/profile.ts <file.cpuprofile>... [--top N]');
  process.exit(2);
}
for (const f of args) console.log(formatSummary(f, summarizeFile(f, top)) + '\n');
