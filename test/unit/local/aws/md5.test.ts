import { md5Hex, md5OfMessageAttributes } from '../../../../local/aws/md5';

// Expected digests from the aws-md5-of-message-attributes package README (computed by SQS's algorithm).
describe('md5OfMessageAttributes', () => {
  it.each([
    ['a String attribute', { attribName1: { dataType: 'String', stringValue: 'attribValue 1' } }, '19e27d4e946b072f3f58da80d94fd778'],
    [
      'a custom Number type',
      { customNumberTypeAttrib: { dataType: 'Number.float', stringValue: '4563442423554324324264524243.32543234' } },
      '9fe1b90bbd9965bdf77bac517c7d2495',
    ],
    ['a Binary attribute', { binaryAttribute: { dataType: 'Binary', binaryValue: Buffer.from('Hello binary world!') } }, '31a92b15d92f8db860eda32aceb656c3'],
    [
      'several attributes, in any order',
      {
        customNumberTypeAttrib: { dataType: 'Number.float', stringValue: '4563442423554324324264524243.32543234' },
        binaryAttribute: { dataType: 'Binary', binaryValue: Buffer.from('Hello binary world!') },
        attribName1: { dataType: 'String', stringValue: 'attribValue 1' },
      },
      'c932db14a896c663f83c260297d594ff',
    ],
  ])('matches SQS for %s', (_name, attributes, expected) => {
    expect(md5OfMessageAttributes(attributes)).toBe(expected);
  });

  it('is undefined without attributes, as SQS then omits MD5OfMessageAttributes', () => {
    expect(md5OfMessageAttributes({})).toBeUndefined();
  });

  it('hashes a body as its UTF-8 bytes', () => {
    expect(md5Hex('test')).toBe('098f6bcd4621d373cade4e832627b4f6');
    expect(md5Hex('é')).toBe(md5Hex(Buffer.from('é', 'utf8')));
  });
});
