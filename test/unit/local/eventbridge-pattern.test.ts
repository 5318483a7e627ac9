/**
 * EventBridge pattern matching, checked against the examples of the AWS EventBridge User Guide ("Amazon
 * EventBridge event patterns", "Content filtering in Amazon EventBridge event patterns", "Matching null values
 * and empty strings", "Arrays in Amazon EventBridge event patterns") and the service's observed answers.
 */
import { FAILOVER_ALARM_NAME, INGEST_RULES } from '../../../lambdas/events/rules';
import {
  type EventPattern,
  InvalidPatternError,
  matchesPattern,
  validatePattern,
} from '../../../local/eventbridge/pattern';

type MatchCase = readonly [name: string, pattern: EventPattern, event: unknown, expected: boolean];

const checkMatches = (cases: readonly MatchCase[]): void => {
  test.each(cases)('%s', (_name, pattern, event, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });
};

/** The EC2 event of "Amazon EventBridge event patterns". */
const EC2_STATE_CHANGE = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

/** The Auto Scaling event of "Matching null values and empty strings". */
const AUTOSCALING_LAUNCH = {
  version: '0',
  id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
  'detail-type': 'EC2 Instance Launch Successful',
  source: 'aws.autoscaling',
  account: '123456789012',
  time: '2015-11-11T21:31:47Z',
  region: 'us-east-1',
  resources: [],
  detail: { eventVersion: '', responseElements: null },
};

/** The (truncated) Macie event of "Amazon EventBridge event patterns". */
const MACIE_ALERT = {
  version: '0',
  id: '3e355723-fca9-4de3-9fd7-154c289d6b59',
  'detail-type': 'Macie Alert',
  source: 'aws.macie',
  account: '123456789012',
  time: '2017-04-24T22:28:49Z',
  region: 'us-east-1',
  resources: [
    'arn:aws:macie:us-east-1:123456789012:trigger/trigger_id/alert/alert_id',
    'arn:aws:macie:us-east-1:123456789012:trigger/trigger_id',
  ],
  detail: {
    'notification-type': 'ALERT_CREATED',
    name: 'Scanning bucket policies',
    tags: ['Custom_Alert', 'Insider'],
    'risk-score': 80,
    trigger: { 'alert-type': 'basic', risk: 8 },
  },
};

/** The event the content-filtering examples are written against. */
const CONTENT_SAMPLE = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

const withDetail = (detail: object): object => ({ ...EC2_STATE_CHANGE, detail });
const withField = (field: string, value: unknown): object => ({ ...EC2_STATE_CHANGE, [field]: value });

describe('matchesPattern: values', () => {
  const terminations: EventPattern = {
    source: ['aws.ec2'],
    'detail-type': ['EC2 Instance State-change Notification'],
    detail: { state: ['terminated'] },
  };

  checkMatches([
    ['the termination pattern matches the termination event', terminations, EC2_STATE_CHANGE, true],
    ['the termination pattern does not match a running instance', terminations, withDetail({ state: 'running' }), false],
    ['a value list is an OR', { source: ['aws.ec2', 'aws.fargate'] }, withField('source', 'aws.fargate'), true],
    ['a value outside the list does not match', { source: ['aws.ec2', 'aws.fargate'] }, withField('source', 'aws.s3'), false],
    ['strings match character by character, with case', { source: ['AWS.EC2'] }, EC2_STATE_CHANGE, false],
    ['field names are case-sensitive', { Source: ['aws.ec2'] }, EC2_STATE_CHANGE, false],
    ['numbers match numbers', { detail: { 'risk-score': [80], trigger: { risk: [8] } } }, MACIE_ALERT, true],
    ['a nested number must be equal', { detail: { 'risk-score': [80], trigger: { risk: [9] } } }, MACIE_ALERT, false],
    ['a number does not match its string', { detail: { 'risk-score': ['80'] } }, MACIE_ALERT, false],
    ['a string does not match its number', { detail: { 'instance-id': [5] } }, withDetail({ 'instance-id': '5' }), false],
    ['true matches true', { detail: { flag: [true] } }, withDetail({ flag: true }), true],
    ['true does not match "true"', { detail: { flag: [true] } }, withDetail({ flag: 'true' }), false],
    ['false does not match null', { detail: { flag: [false] } }, withDetail({ flag: null }), false],
  ]);
});

describe('matchesPattern: null and empty strings', () => {
  checkMatches([
    ['[""] matches an empty string', { detail: { eventVersion: [''] } }, AUTOSCALING_LAUNCH, true],
    ['[null] matches null', { detail: { responseElements: [null] } }, AUTOSCALING_LAUNCH, true],
    [
      'the documented null pattern matches',
      { source: ['aws.autoscaling'], 'detail-type': ['EC2 Instance Launch Successful'], detail: { responseElements: [null] } },
      AUTOSCALING_LAUNCH,
      true,
    ],
    ['[null] does not match an empty string', { detail: { eventVersion: [null] } }, AUTOSCALING_LAUNCH, false],
    ['[""] does not match null', { detail: { responseElements: [''] } }, AUTOSCALING_LAUNCH, false],
    ['[null] does not match a missing field', { detail: { missing: [null] } }, AUTOSCALING_LAUNCH, false],
    ['[""] does not match a missing field', { detail: { missing: [''] } }, AUTOSCALING_LAUNCH, false],
    ['[null] does not match an empty array', { resources: [null] }, AUTOSCALING_LAUNCH, false],
  ]);
});

describe('matchesPattern: arrays in events', () => {
  const resources: EventPattern = {
    resources: [
      'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
      'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
    ],
  };
  const employees = {
    employees: [
      { firstName: 'John', lastName: 'Doe' },
      { firstName: 'Anna', lastName: 'Smith' },
      { firstName: 'Peter', lastName: 'Jones' },
    ],
  };

  checkMatches([
    [
      'an event array matches when it shares a value with the pattern',
      resources,
      {
        resources: [
          'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        ],
      },
      true,
    ],
    [
      'an event array sharing no value does not match',
      resources,
      {
        resources: [
          'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
        ],
      },
      false,
    ],
    ['nested arrays are flattened', { detail: { n: [3] } }, withDetail({ n: [[1, 2], [3]] }), true],
    ['an object inside an array is matched field by field', { employees: { firstName: ['Anna'] } }, employees, true],
    [
      'two fields must match in the same array element',
      { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
      employees,
      false,
    ],
    ['two fields matching one element match', { employees: { firstName: ['Anna'], lastName: ['Smith'] } }, employees, true],
    [
      'arrays of arrays of objects are crushed too',
      { employees: { firstName: ['Peter'], lastName: ['Jones'] } },
      { employees: [[employees.employees[0], employees.employees[1]], [employees.employees[2]]] },
      true,
    ],
  ]);
});

describe('matchesPattern: prefix and suffix', () => {
  const time: EventPattern = { time: [{ prefix: '2017-10-02' }] };
  const service: EventPattern = { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } };
  const png: EventPattern = { FileName: [{ suffix: '.png' }] };
  const pngAnyCase: EventPattern = { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } };

  checkMatches([
    ['prefix matches the start of a string', time, withField('time', '2017-10-02T18:43:48Z'), true],
    ['prefix does not match another start', time, EC2_STATE_CHANGE, false],
    ['prefix is case-sensitive', { region: [{ prefix: 'EU-' }] }, withField('region', 'eu-west-1'), false],
    ['prefix applies to strings only', { detail: { n: [{ prefix: '12' }] } }, withDetail({ n: 123 }), false],
    ['an empty prefix matches any string', { region: [{ prefix: '' }] }, EC2_STATE_CHANGE, true],
    ['ignore-case prefix matches EventBridge', service, withDetail({ service: 'EventBridge' }), true],
    ['ignore-case prefix matches EVENTBRIDGE', service, withDetail({ service: 'EVENTBRIDGE' }), true],
    ['ignore-case prefix matches exactly eventb', service, withDetail({ service: 'eventb' }), true],
    ['ignore-case prefix still needs the letters', service, withDetail({ service: 'Event-Bus' }), false],
    ['suffix matches the end of a string', png, withField('FileName', 'image.png'), true],
    ['suffix is case-sensitive', png, withField('FileName', 'image.PNG'), false],
    ['suffix does not match in the middle', png, withField('FileName', 'image.png.txt'), false],
    ['ignore-case suffix matches .PNG', pngAnyCase, withDetail({ FileName: 'IMAGE.PNG' }), true],
    ['ignore-case suffix still needs the letters', pngAnyCase, withDetail({ FileName: 'image.jpg' }), false],
  ]);
});

describe('matchesPattern: equals-ignore-case', () => {
  const detailType: EventPattern = { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] };

  checkMatches([
    ['matches whatever the case', detailType, EC2_STATE_CHANGE, true],
    ['does not match another string', detailType, AUTOSCALING_LAUNCH, false],
    ['does not match a longer string', { detail: { name: [{ 'equals-ignore-case': 'alice' }] } }, withDetail({ name: 'Alice B' }), false],
    ['applies to strings only', { detail: { name: [{ 'equals-ignore-case': '5' }] } }, withDetail({ name: 5 }), false],
  ]);
});

describe('matchesPattern: anything-but', () => {
  const notInitializing: EventPattern = { detail: { state: [{ 'anything-but': 'initializing' }] } };
  const notLimit: EventPattern = { detail: { 'x-limit': [{ 'anything-but': 123 }] } };
  const notStates: EventPattern = { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } };
  const notLimits: EventPattern = { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } };
  const notInit: EventPattern = { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } };
  const notInitOrStop: EventPattern = { detail: { state: [{ 'anything-but': { prefix: ['init', 'stop'] } }] } };
  const notPng: EventPattern = { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } };
  const notInitializingAnyCase: EventPattern = {
    detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] },
  };
  const notStatesAnyCase: EventPattern = {
    detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] },
  };
  const notLib: EventPattern = { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } };

  checkMatches([
    ['a string other than the excluded one matches', notInitializing, withDetail({ state: 'running' }), true],
    ['the excluded string does not match', notInitializing, withDetail({ state: 'initializing' }), false],
    ['a missing field does not match', notInitializing, withDetail({}), false],
    ['null is a value other than the excluded one', notInitializing, withDetail({ state: null }), true],
    ['an array matches if any element is not excluded', notInitializing, withDetail({ state: ['initializing', 'running'] }), true],
    ['an array of only the excluded value does not match', notInitializing, withDetail({ state: ['initializing'] }), false],
    ['an empty array is no value and does not match', notInitializing, withDetail({ state: [] }), false],
    ['an object is no value and does not match', notInitializing, withDetail({ state: { name: 'x' } }), false],
    ['the excluded number does not match', notLimit, withDetail({ 'x-limit': 123 }), false],
    ['another number matches', notLimit, withDetail({ 'x-limit': 456 }), true],
    ['the string of the excluded number is another value', notLimit, withDetail({ 'x-limit': '123' }), true],
    ['a listed string does not match', notStates, withDetail({ state: 'stopped' }), false],
    ['an unlisted string matches', notStates, withDetail({ state: 'running' }), true],
    ['a listed number does not match', notLimits, withDetail({ 'x-limit': 200 }), false],
    ['an unlisted number matches', notLimits, CONTENT_SAMPLE, true],
    ['a value with the excluded prefix does not match', notInit, withDetail({ state: 'initializing' }), false],
    ['a value without the excluded prefix matches', notInit, withDetail({ state: 'running' }), true],
    ['a number has no prefix, so it matches', notInit, withDetail({ state: 12 }), true],
    ['any excluded prefix of a list excludes', notInitOrStop, withDetail({ state: 'stopped' }), false],
    ['no excluded prefix of a list matches', notInitOrStop, withDetail({ state: 'running' }), true],
    ['a value with the excluded suffix does not match', notPng, withDetail({ FileName: 'image.png' }), false],
    ['a value without the excluded suffix matches', notPng, withDetail({ FileName: 'notes.txt' }), true],
    ['the excluded string in any case does not match', notInitializingAnyCase, withDetail({ state: 'INITIALIZING' }), false],
    ['another string matches whatever the case', notInitializingAnyCase, withDetail({ state: 'Running' }), true],
    ['a listed string in any case does not match', notStatesAnyCase, withDetail({ state: 'OVERLOADED' }), false],
    ['a path matching the excluded wildcard does not match', notLib, withDetail({ FilePath: '/usr/lib/libc.so' }), false],
    ['a path not matching the excluded wildcard matches', notLib, withDetail({ FilePath: '/usr/bin/ls' }), true],
    ['a number never matches a wildcard, so it matches', notLib, withDetail({ FilePath: 123 }), true],
  ]);
});

describe('matchesPattern: numeric', () => {
  const ranges: EventPattern = {
    detail: {
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ numeric: ['=', 3.018e2] }],
    },
  };
  const price: EventPattern = { detail: { Price: [{ numeric: ['>', 10, '<=', 20] }] } };
  const sample = (changes: object): object => ({ ...CONTENT_SAMPLE, detail: { ...CONTENT_SAMPLE.detail, ...changes } });

  checkMatches([
    ['the documented ranges match the sample event', ranges, CONTENT_SAMPLE, true],
    ['an open lower bound excludes its value', ranges, sample({ 'c-count': 0 }), false],
    ['a closed upper bound includes its value', ranges, sample({ 'c-count': 5 }), true],
    ['a value above the range does not match', ranges, sample({ 'c-count': 6 }), false],
    ['"=" needs the same number', ranges, sample({ 'x-limit': 301.9 }), false],
    ['numeric matching applies to JSON numbers only', ranges, sample({ 'c-count': '5' }), false],
    ['null is not a number', ranges, sample({ 'd-count': null }), false],
    ['a missing field does not match', ranges, { ...CONTENT_SAMPLE, detail: { 'c-count': 5, 'x-limit': 301.8 } }, false],
    ['a price at the top of the range matches', price, withDetail({ Price: 20 }), true],
    ['a price at the open bottom does not match', price, withDetail({ Price: 10 }), false],
    ['"=" matches an equal number', { detail: { Price: [{ numeric: ['=', 100] }] } }, withDetail({ Price: 100 }), true],
    ['">=" includes its bound', { detail: { n: [{ numeric: ['>=', -1.5] }] } }, withDetail({ n: -1.5 }), true],
    ['any array element in range matches', { detail: { n: [{ numeric: ['<', 0] }] } }, withDetail({ n: [3, -2] }), true],
    ['values beyond the comparable limit never match', { detail: { n: [{ numeric: ['>', 0] }] } }, withDetail({ n: 6e9 }), false],
  ]);
});

describe('matchesPattern: cidr', () => {
  const subnet: EventPattern = { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } };
  const ipv6: EventPattern = { detail: { sourceIPAddress: [{ cidr: '2001:db8::/32' }] } };

  checkMatches([
    ['an address in the block matches', subnet, withDetail({ sourceIPAddress: '10.0.0.255' }), true],
    ['the first address of the block matches', subnet, withDetail({ sourceIPAddress: '10.0.0.0' }), true],
    ['an address outside the block does not match', subnet, withDetail({ sourceIPAddress: '10.0.1.0' }), false],
    ['a number is not an address', subnet, withDetail({ sourceIPAddress: 123 }), false],
    ['a host name is not an address', subnet, withDetail({ sourceIPAddress: 'example.com' }), false],
    ['an IPv6 address in the block matches', ipv6, withDetail({ sourceIPAddress: '2001:db8:1234:1a00::1' }), true],
    ['an IPv6 address outside the block does not match', ipv6, withDetail({ sourceIPAddress: '2001:db9::1' }), false],
    ['an IPv4 address is never in an IPv6 block', ipv6, withDetail({ sourceIPAddress: '10.0.0.1' }), false],
    [
      'a base address with host bits still names the whole block',
      { detail: { ip: [{ cidr: '10.0.0.7/24' }] } },
      withDetail({ ip: '10.0.0.200' }),
      true,
    ],
    ['/32 matches one address', { detail: { ip: [{ cidr: '192.168.1.1/32' }] } }, withDetail({ ip: '192.168.1.1' }), true],
    ['the documented sample source-ip is in 10.0.0.0/8', { detail: { 'source-ip': [{ cidr: '10.0.0.0/8' }] } }, CONTENT_SAMPLE, true],
  ]);
});

describe('matchesPattern: exists', () => {
  const hasState: EventPattern = { detail: { state: [{ exists: true }] } };
  const noCount: EventPattern = { detail: { 'c-count': [{ exists: false }] } };
  const pending = {
    version: '0',
    id: '7bf73129-1428-4cd3-a780-95db273d1602',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '123456789012',
    time: '2015-11-11T21:29:54Z',
    region: 'us-east-1',
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
    detail: { 'instance-id': 'i-abcd1111', state: 'pending' },
  };
  const countIsAnObject = {
    'detail-type': ['EC2 Instance State-change Notification'],
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
    detail: { state: ['initializing', 'running'], 'c-count': { c1: 100 } },
  };
  const withoutState = {
    'detail-type': ['EC2 Instance State-change Notification'],
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
    detail: { 'c-count': { c1: 100 } },
  };

  checkMatches([
    ['exists: true matches a present field', hasState, pending, true],
    ['exists: true does not match an event without the field', hasState, withoutState, false],
    ['exists: true matches null, which is a value', hasState, withDetail({ state: null }), true],
    ['exists: true does not match an empty array', { resources: [{ exists: true }] }, AUTOSCALING_LAUNCH, false],
    ['exists: true does not match an object (not a leaf)', { detail: { 'c-count': [{ exists: true }] } }, countIsAnObject, false],
    ['exists: false matches a missing field', noCount, pending, true],
    ['exists: false matches an object, which is not a leaf', noCount, countIsAnObject, true],
    ['exists: false does not match a present field', noCount, CONTENT_SAMPLE, false],
    ['exists: false does not match null', noCount, withDetail({ 'c-count': null }), false],
    ['exists: false matches an empty array', { resources: [{ exists: false }] }, AUTOSCALING_LAUNCH, true],
    ['exists: false matches when the parent is missing too', { missing: { child: [{ exists: false }] } }, pending, true],
    [
      'exists: true matches when any array element has the field',
      { detail: { automations: { id: [{ exists: true }] } } },
      withDetail({ automations: [{ key1: 'value1' }, { id: 'match-does-exist' }, { key2: 'value2' }] }),
      true,
    ],
    [
      'exists: false combines with other matchers as an OR',
      { dynamodb: { NewImage: { homemade: { S: [{ 'anything-but': ['roses'] }, { exists: false }] } } } },
      { dynamodb: { NewImage: { purchased: { N: '789' } } } },
      true,
    ],
  ]);
});

describe('matchesPattern: wildcard', () => {
  const eventBus: EventPattern = { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] };

  checkMatches([
    ['a wildcard matches any run of characters', eventBus, { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/myEventBus' }, true],
    ['the literal parts must match', eventBus, { EventBusArn: 'arn:aws:events:us-west-2:123456789012:event-bus/myEventBus' }, false],
    ['*.png matches a name ending in .png', { FileName: [{ wildcard: '*.png' }] }, { FileName: 'photo.png' }, true],
    ['*Title* matches Title in the middle', { FileName: [{ wildcard: '*Title*' }] }, { FileName: 'MyTitlePage' }, true],
    ['a wildcard may match nothing', { FileName: [{ wildcard: 'a*b' }] }, { FileName: 'ab' }, true],
    ['* alone matches the empty string', { FileName: [{ wildcard: '*' }] }, { FileName: '' }, true],
    ['without a wildcard the whole string must be equal', { FileName: [{ wildcard: 'ab' }] }, { FileName: 'abc' }, false],
    [
      'repeated literals after a wildcard still match',
      { FileName: [{ wildcard: '/Users/*/dir/dir/dir/dir/dir/doc.txt' }] },
      { FileName: '/Users/ls_user/dir/dir/dir/dir/dir/doc.txt' },
      true,
    ],
    ['an escaped * is a literal asterisk', { FileName: [{ wildcard: 'a\\*b' }] }, { FileName: 'a*b' }, true],
    ['an escaped * does not match other characters', { FileName: [{ wildcard: 'a\\*b' }] }, { FileName: 'axb' }, false],
    ['an escaped backslash is a literal backslash', { FileName: [{ wildcard: 'C:\\\\*' }] }, { FileName: 'C:\\Windows' }, true],
    ['wildcards apply to strings only', { n: [{ wildcard: '1*' }] }, { n: 12 }, false],
  ]);
});

describe('matchesPattern: $or', () => {
  const counts: EventPattern = {
    detail: {
      $or: [
        { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
        { 'd-count': [{ numeric: ['<', 10] }] },
        { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
      ],
    },
  };
  const metrics: EventPattern = {
    source: ['aws.cloudwatch'],
    $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
  };
  const nested: EventPattern = {
    source: ['aws.cloudwatch'],
    $or: [
      { metricName: ['CPUUtilization', 'ReadLatency'] },
      { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
      { scope: ['Service'] },
    ],
  };

  checkMatches([
    ['one matching alternative is enough', counts, CONTENT_SAMPLE, true],
    ['only the second alternative matches', counts, withDetail({ 'c-count': 0, 'd-count': 3 }), true],
    ['no matching alternative', counts, withDetail({ 'c-count': 0, 'd-count': 11, 'x-limit': 1 }), false],
    ['the fields beside $or must match too', metrics, { source: 'aws.ec2', namespace: 'AWS/EC2' }, false],
    ['source and the namespace alternative', metrics, { source: 'aws.cloudwatch', namespace: 'AWS/EC2' }, true],
    ['source and neither alternative', metrics, { source: 'aws.cloudwatch', metricName: 'Other' }, false],
    ['a nested $or inside an alternative', nested, { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/ES', spaceId: 1000 }, true],
    ['the nested $or must hold as well', nested, { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/ES', spaceId: 1 }, false],
    [
      'an $or alternative with exists: false',
      { detail: { $or: [{ state: ['stopped'] }, { reason: [{ exists: false }] }] } },
      EC2_STATE_CHANGE,
      true,
    ],
  ]);
});

describe('matchesPattern: nesting and events', () => {
  const complex: EventPattern = {
    time: [{ prefix: '2017-10-02' }],
    detail: {
      state: [{ 'anything-but': 'initializing' }],
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ 'anything-but': [100, 200, 300] }],
      'source-ip': [{ cidr: '10.0.0.0/8' }],
    },
  };

  checkMatches([
    ['the documented complex example matches the sample event', complex, CONTENT_SAMPLE, true],
    ['one failing field fails the complex example', complex, { ...CONTENT_SAMPLE, time: '2017-10-03T00:00:00Z' }, false],
    [
      'a deeply nested field',
      { detail: { level1: { level2: { level3: { level4: ['l4 value'] } } } } },
      withDetail({ level1: { level2: { level3: { level4: 'l4 value' } } } }),
      true,
    ],
    ['a nested pattern does not match a JSON string', { detail: { 'my-key': ['my-value'] } }, withField('detail', '{"my-key": "my-value"}'), false],
    ['a nested pattern does not match a missing object', { detail: { state: ['terminated'] } }, { source: 'aws.ec2' }, false],
    ['inherited members are not fields', { detail: { constructor: [{ exists: true }] } }, EC2_STATE_CHANGE, false],
    ['an event that is a string never matches', { detail: { x: [{ exists: false }] } }, 'not an event', false],
    ['an event that is null never matches', { detail: { x: [{ exists: false }] } }, null, false],
    ['an event that is an array never matches', { source: ['aws.ec2'] }, [EC2_STATE_CHANGE], false],
  ]);

  test('a key given twice keeps its last value, as EventBridge documents', () => {
    const pattern = validatePattern(
      JSON.parse('{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}'),
    );
    expect(matchesPattern(pattern, withDetail({ location: 'eu-west' }))).toBe(true);
    expect(matchesPattern(pattern, withDetail({ location: 'us-east' }))).toBe(false);
  });
});

describe('matchesPattern: the Spot-On ingest rules', () => {
  const typed: Readonly<Record<string, EventPattern>> = INGEST_RULES;
  const alarm = (alarmName: string): object => ({
    source: 'aws.cloudwatch',
    'detail-type': 'CloudWatch Alarm State Change',
    detail: { alarmName, state: { value: 'ALARM' } },
  });
  const stateChange = (state: string): object => ({
    source: 'aws.ec2',
    'detail-type': 'EC2 Instance State-change Notification',
    detail: { 'instance-id': 'i-1234567890abcdef0', state },
  });

  test.each(Object.entries(typed))('%s is a valid pattern', (_name, pattern) => {
    expect(validatePattern(pattern)).toBe(pattern);
  });

  checkMatches([
    [
      'a Spot interruption warning',
      INGEST_RULES.spotInterruption,
      {
        source: 'aws.ec2',
        'detail-type': 'EC2 Spot Instance Interruption Warning',
        detail: { 'instance-id': 'i-1234567890abcdef0', 'instance-action': 'terminate' },
      },
      true,
    ],
    ['a terminated instance', INGEST_RULES.instanceStateChange, stateChange('terminated'), true],
    ['a running instance is not routed', INGEST_RULES.instanceStateChange, stateChange('running'), false],
    ['the failover alarm', INGEST_RULES.alarmStateChange, alarm(FAILOVER_ALARM_NAME), true],
    ['a Spot-On alarm by prefix', INGEST_RULES.alarmStateChange, alarm('spot-on-trainer-silent'), true],
    ['another alarm is not routed', INGEST_RULES.alarmStateChange, alarm('billing-alarm'), false],
    ['an EKS health event', INGEST_RULES.health, { source: 'aws.health', 'detail-type': 'AWS Health Event', detail: { service: 'EKS' } }, true],
    ['an S3 health event is not routed', INGEST_RULES.health, { source: 'aws.health', 'detail-type': 'AWS Health Event', detail: { service: 'S3' } }, false],
  ]);
});

/** The InvalidPatternError thrown for `pattern`, reduced to what a caller sees. */
function rejectionOf(pattern: unknown): { name: string; message: string; path: string; reason: string; cause: unknown } {
  try {
    validatePattern(pattern);
  } catch (error) {
    if (!(error instanceof InvalidPatternError)) throw error;
    return { name: error.name, message: error.message, path: error.path, reason: error.reason, cause: error.cause };
  }
  throw new Error(`pattern was accepted: ${JSON.stringify(pattern)}`);
}

describe('validatePattern', () => {
  test('returns the pattern it accepted, unchanged', () => {
    const pattern = { source: ['aws.ec2'], detail: { state: [{ 'anything-but': { prefix: 'init' } }] } };
    expect(validatePattern(pattern)).toBe(pattern);
    expect(pattern).toStrictEqual({ source: ['aws.ec2'], detail: { state: [{ 'anything-but': { prefix: 'init' } }] } });
  });

  test('an error names the path and the reason, and is an InvalidPatternError', () => {
    expect(rejectionOf({ detail: { state: [{ prefix: 123 }] } })).toStrictEqual({
      name: 'InvalidPatternError',
      message: 'Invalid event pattern at $.detail.state[0].prefix: prefix match pattern must be a string',
      path: '$.detail.state[0].prefix',
      reason: 'prefix match pattern must be a string',
      cause: undefined,
    });
    expect(() => validatePattern({ source: 'aws.ec2' })).toThrow(InvalidPatternError);
  });

  test('field names that are not plain words are quoted in the path', () => {
    expect(rejectionOf({ detail: { 'my key': 'x' } })).toStrictEqual({
      name: 'InvalidPatternError',
      message: 'Invalid event pattern at $.detail["my key"]: "my key" must be an object or an array',
      path: '$.detail["my key"]',
      reason: '"my key" must be an object or an array',
      cause: undefined,
    });
  });

  test('a pattern nested deeper than the stack is rejected with the overflow as cause', () => {
    let pattern: object = { leaf: ['x'] };
    for (let depth = 0; depth < 100_000; depth++) pattern = { nested: pattern };
    const rejection = rejectionOf(pattern);
    expect({ ...rejection, cause: rejection.cause instanceof RangeError }).toStrictEqual({
      name: 'InvalidPatternError',
      message: 'Invalid event pattern at $: pattern is nested too deeply',
      path: '$',
      reason: 'pattern is nested too deeply',
      cause: true,
    });
  });

  test('matchesPattern refuses an invalid pattern instead of guessing', () => {
    expect(() => matchesPattern({ source: 'aws.ec2' } as unknown as EventPattern, EC2_STATE_CHANGE)).toThrow(
      new InvalidPatternError('$.source', '"source" must be an object or an array'),
    );
  });

  const rejections: readonly (readonly [pattern: unknown, path: string, reason: string])[] = [
    ['a string', '$', 'Filter is not an object'],
    [['source'], '$', 'Filter is not an object'],
    [null, '$', 'Filter is not an object'],
    [new Map([['source', ['aws.ec2']]]), '$', 'Filter is not an object'],
    [{}, '$', 'Empty objects are not allowed'],
    [{ detail: {} }, '$.detail', 'Empty objects are not allowed'],
    [{ string: 'my-value' }, '$.string', '"string" must be an object or an array'],
    [{ int: 42 }, '$.int', '"int" must be an object or an array'],
    [{ detail: { state: null } }, '$.detail.state', '"state" must be an object or an array'],
    [{ resources: [] }, '$.resources', 'Empty arrays are not allowed'],
    [{ a: [['nested']] }, '$.a[0]', 'Match value must be String, number, true, false, or null'],
    [{ a: [Number.NaN] }, '$.a[0]', 'Match value must be String, number, true, false, or null'],
    [{ a: [new Date(0)] }, '$.a[0]', 'Match value must be String, number, true, false, or null'],
    [{ a: [{}] }, '$.a[0]', 'Match expression name not found'],
    [{ a: [{ prefix: 'x', suffix: 'y' }] }, '$.a[0]', 'Only one key allowed in match expression'],
    [{ my_key: [{ EXISTS: true }] }, '$.my_key[0]', 'Unrecognized match type EXISTS'],
    [{ detail: { equal: [{ NUMERIC: ['=', 5] }] } }, '$.detail.equal[0]', 'Unrecognized match type NUMERIC'],
    [{ a: [{ contains: 'x' }] }, '$.a[0]', 'Unrecognized match type contains'],
    [{ time: [{ prefix: 123 }] }, '$.time[0].prefix', 'prefix match pattern must be a string'],
    [{ time: [{ prefix: ['2022-07-13'] }] }, '$.time[0].prefix', 'prefix match pattern must be a string'],
    [{ FileName: [{ suffix: 123 }] }, '$.FileName[0].suffix', 'suffix match pattern must be a string'],
    [{ FileName: [{ suffix: ['.png'] }] }, '$.FileName[0].suffix', 'suffix match pattern must be a string'],
    [
      { s: [{ prefix: { 'equals-ignore-case': 5 } }] },
      '$.s[0].prefix.equals-ignore-case',
      'equals-ignore-case match pattern must be a string',
    ],
    [{ s: [{ prefix: { wildcard: 'x*' } }] }, '$.s[0].prefix', 'Unsupported prefix pattern: wildcard'],
    [{ s: [{ suffix: {} }] }, '$.s[0].suffix', 'suffix expression name not found'],
    [{ t: [{ 'equals-ignore-case': ['x'] }] }, '$.t[0].equals-ignore-case', 'equals-ignore-case match pattern must be a string'],
    [
      { t: [{ 'equals-ignore-case': { prefix: 'ec2' } }] },
      '$.t[0].equals-ignore-case',
      'equals-ignore-case match pattern must be a string',
    ],
    [{ arn: [{ wildcard: 123 }] }, '$.arn[0].wildcard', 'wildcard match pattern must be a string'],
    [
      { arn: [{ wildcard: 'arn:aws:events:us-east-1:**:event-bus/*' }] },
      '$.arn[0].wildcard',
      'Consecutive wildcard characters at pos 26',
    ],
    [{ arn: [{ wildcard: 'a\\b' }] }, '$.arn[0].wildcard', 'Invalid escape character at pos 2'],
    [{ arn: [{ wildcard: 'ends with \\' }] }, '$.arn[0].wildcard', 'Invalid escape character at pos 11'],
    [{ n: [{ numeric: '>5' }] }, '$.n[0].numeric', 'Value of numeric must be an array.'],
    [{ n: [{ numeric: [] }] }, '$.n[0].numeric', 'Invalid member in numeric match: undefined'],
    [{ n: [{ numeric: [5, '>'] }] }, '$.n[0].numeric', 'Invalid member in numeric match: 5'],
    [{ n: [{ numeric: ['!=', 1] }] }, '$.n[0].numeric', 'Unrecognized numeric range operator: !='],
    [{ n: [{ numeric: ['=', '5'] }] }, '$.n[0].numeric', 'Value of equals must be numeric'],
    [{ n: [{ numeric: ['>', 0, '>', 0] }] }, '$.n[0].numeric', 'Bad numeric range operator: >'],
    [{ n: [{ numeric: ['>', 0, 5] }] }, '$.n[0].numeric', 'Bad value in numeric range: 5'],
    [{ n: [{ numeric: ['>', 0, '<'] }] }, '$.n[0].numeric', 'Value of < must be numeric'],
    [{ n: [{ numeric: ['=', 5, '<', 6] }] }, '$.n[0].numeric', 'Too many elements in numeric expression'],
    [{ n: [{ numeric: ['<', 5, '>', 1] }] }, '$.n[0].numeric', 'Too many elements in numeric expression'],
    [{ n: [{ numeric: ['>', 5, '<', 6, 7] }] }, '$.n[0].numeric', 'Too many terms in numeric range expression'],
    [{ n: [{ numeric: ['>', 5, '<=', 5] }] }, '$.n[0].numeric', 'Bottom must be less than top'],
    [{ n: [{ numeric: ['<', 6e9] }] }, '$.n[0].numeric', 'Value must be between -5000000000 and 5000000000, inclusive'],
    [{ n: [{ numeric: ['=', 0.1234567] }] }, '$.n[0].numeric', 'Only values upto 6 decimals are supported'],
    [{ a: [{ exists: 'true' }] }, '$.a[0].exists', 'exists match pattern must be either true or false.'],
    [{ ip: [{ cidr: '10.0.0.0' }] }, '$.ip[0].cidr', "Malformed CIDR, one '/' required"],
    [{ ip: [{ cidr: '10.0.0.0/x' }] }, '$.ip[0].cidr', 'Malformed CIDR, mask bits must be an integer'],
    [{ ip: [{ cidr: 'xx.11.xx/24' }] }, '$.ip[0].cidr', 'Nonstandard IP address: xx.11.xx'],
    [{ ip: [{ cidr: '10.0.0.256/24' }] }, '$.ip[0].cidr', 'Nonstandard IP address: 10.0.0.256'],
    [{ ip: [{ cidr: 'xxxx:db8:1234:1a00::/64' }] }, '$.ip[0].cidr', 'Nonstandard IP address: xxxx:db8:1234:1a00::'],
    [{ ip: [{ cidr: '10.0.0.0/33' }] }, '$.ip[0].cidr', 'IPv4 mask bits must be between 0 and 32'],
    [{ ip: [{ cidr: '2001:db8::/129' }] }, '$.ip[0].cidr', 'IPv6 mask bits must be between 0 and 128'],
    [{ ip: [{ cidr: ['bad-type'] }] }, '$.ip[0].cidr', 'cidr match pattern must be a string'],
    [{ s: [{ 'anything-but': null }] }, '$.s[0].anything-but', 'Value of anything-but must be an array or single string/number value.'],
    [{ s: [{ 'anything-but': true }] }, '$.s[0].anything-but', 'Value of anything-but must be an array or single string/number value.'],
    [{ s: [{ 'anything-but': [] }] }, '$.s[0].anything-but', 'Empty arrays are not allowed'],
    [
      { s: [{ 'anything-but': ['a', 1] }] },
      '$.s[0].anything-but',
      'Inside anything-but list, either all values are number or string, mixed type is not supported',
    ],
    [{ s: [{ 'anything-but': ['a', null] }] }, '$.s[0].anything-but[1]', 'Inside anything-but list, only strings and numbers are supported'],
    [{ s: [{ 'anything-but': 6e9 }] }, '$.s[0].anything-but', 'Value must be between -5000000000 and 5000000000, inclusive'],
    [{ s: [{ 'anything-but': {} }] }, '$.s[0].anything-but', 'Anything-But expression name not found'],
    [{ s: [{ 'anything-but': { numeric: ['>', 1] } }] }, '$.s[0].anything-but', 'Unsupported anything-but pattern: numeric'],
    [{ s: [{ 'anything-but': { prefix: 123 } }] }, '$.s[0].anything-but.prefix', 'prefix match pattern must be a string'],
    [{ s: [{ 'anything-but': { prefix: '' } }] }, '$.s[0].anything-but.prefix', 'anything-but prefix must not be empty'],
    [{ s: [{ 'anything-but': { suffix: [123, '.txt'] } }] }, '$.s[0].anything-but.suffix[0]', 'suffix match pattern must be a string'],
    [{ s: [{ 'anything-but': { suffix: [] } }] }, '$.s[0].anything-but.suffix', 'Empty arrays are not allowed'],
    [
      { s: [{ 'anything-but': { prefix: { 'equals-ignore-case': 'file' } } }] },
      '$.s[0].anything-but.prefix',
      'Value of anything-but must be an array or single string/number value.',
    ],
    [
      { s: [{ 'anything-but': { 'equals-ignore-case': 123 } }] },
      '$.s[0].anything-but.equals-ignore-case',
      'equals-ignore-case match pattern must be a string',
    ],
    [
      { s: [{ 'anything-but': { wildcard: [123, '*/dir/*'] } }] },
      '$.s[0].anything-but.wildcard[0]',
      'wildcard match pattern must be a string',
    ],
    [{ s: [{ 'anything-but': { wildcard: 'a**' } }] }, '$.s[0].anything-but.wildcard', 'Consecutive wildcard characters at pos 2'],
    [{ s: [{ 'anything-but': { prefix: 'a', suffix: 'b' } }] }, '$.s[0].anything-but', 'Only one key allowed in match expression'],
    [{ $or: 'x' }, '$.$or', '$or must be an array of objects'],
    [{ $or: [{ a: [1] }] }, '$.$or', '$or needs at least 2 objects'],
    [{ $or: [{ a: [1] }, 'b'] }, '$.$or[1]', 'Only JSON objects are allowed in the array of $or'],
    [{ $or: [{ a: [1] }, {}] }, '$.$or[1]', 'Empty objects are not allowed'],
    [{ $or: [{ numeric: [1] }, { prefix: ['a'] }] }, '$.$or[0].numeric', 'numeric is a reserved field name inside $or'],
    [{ $or: [{ a: { prefix: ['a'] } }, { b: [1] }] }, '$.$or[0].a.prefix', 'prefix is a reserved field name inside $or'],
    [{ a: [{ $or: [{ b: [1] }, { c: [2] }] }] }, '$.a[0]', 'Unrecognized match type $or'],
  ];

  test.each(rejections)('rejects %j at %s', (pattern, path, reason) => {
    expect(rejectionOf(pattern)).toStrictEqual({
      name: 'InvalidPatternError',
      message: `Invalid event pattern at ${path}: ${reason}`,
      path,
      reason,
      cause: undefined,
    });
  });
});
