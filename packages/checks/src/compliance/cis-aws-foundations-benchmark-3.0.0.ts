import { cisAwsFoundationsBenchmark_1_4_0 } from './cis-aws-foundations-benchmark-1.4.0.ts';
import { defineFrameworkVersion } from './framework.ts';

// The controls rootaudit evaluates keep 1.4.0's ids and titles in this version.
export const cisAwsFoundationsBenchmark_3_0_0 = defineFrameworkVersion({
  framework: 'cis-aws-foundations-benchmark',
  version: '3.0.0',
  controls: cisAwsFoundationsBenchmark_1_4_0.controls,
});
