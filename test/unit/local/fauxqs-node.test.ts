import { fauxqsNodeProblem } from '../../../local/fauxqs';

describe('fauxqs on this Node', () => {
  it('runs from Node 22.5 on, and names the way out before', () => {
    expect([fauxqsNodeProblem('22.5.0'), fauxqsNodeProblem('24.21.0'), fauxqsNodeProblem('23.0.1')]).toStrictEqual([undefined, undefined, undefined]);
    expect(fauxqsNodeProblem('22.4.1')).toBe('fauxqs needs Node >= 22.5, this is v22.4.1: run through npm (npm start, npm test), which uses the Node this repository installs');
    expect(fauxqsNodeProblem('20.20.2')).toContain('this is v20.20.2');
  });
});
