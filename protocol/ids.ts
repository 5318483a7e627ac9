/** Identifier formats shared by both clouds' code: defined once here, imported everywhere else. */
import { z } from 'zod';

/** An EC2 instance id: `i-` and 8 (older) or 17 hex digits. */
export const EC2_INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;
export const Ec2InstanceIdSchema = z.string().regex(EC2_INSTANCE_ID, 'must be an EC2 instance id (i-...)');
