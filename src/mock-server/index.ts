/** mmr's local provider server: the API the tests, `mmr demo` and the benchmarks use. */
export { startMockServer } from './server.js';
export type { MockProtocol, MockReply, MockRequestInfo, MockServer, MockServerOptions } from './types.js';
export { demoReply, defaultDemoPrompt, loadDemoAnswers } from './demo-script.js';
export type { DemoAnswer, DemoAnswers, DemoPrompt, DemoReplyOptions } from './demo-script.js';
export { lastUserText } from './text.js';
