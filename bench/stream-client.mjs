// The floor for bench/tui.mjs: six streams read with Node's own fetch and a minimal SSE split,
// no engine and no UI (what "a plain client consuming the same streams" costs).
const base = process.env.OPENAI_BASE_URL;
await Promise.all(
  Array.from({ length: 6 }, async (_, i) => {
    const res = await fetch(`${base}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${process.env.OPENAI_API_KEY}` },
      body: JSON.stringify({ model: `m${i}`, stream: true, messages: [{ role: 'user', content: 'benchmark prompt' }] }),
    });
    const decoder = new TextDecoder();
    let buf = '';
    let text = '';
    for await (const chunk of res.body) {
      buf += decoder.decode(chunk, { stream: true });
      for (let at = buf.indexOf('\n\n'); at >= 0; at = buf.indexOf('\n\n')) {
        const data = buf.slice(0, at).replace(/^data: /, '');
        buf = buf.slice(at + 2);
        if (data !== '[DONE]') text += JSON.parse(data).choices?.[0]?.delta?.content ?? '';
      }
    }
    return text.length;
  }),
);
