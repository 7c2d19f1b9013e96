const { Worker, isMainThread } = require('worker_threads');
const n = Number(process.argv[2] || 1);
if (isMainThread) {
	const w = new Worker(__filename, { argv: [n] });
	w.on('exit', () => setTimeout(() => console.log('done'), 1));
} else {
	let s = 0;
	for (let i = 0; i < 1e5 * n; i++) s += i;
}
