import { measure } from '../../src/benchmark/runner';
(async () => {
  const r = await measure({ modelPath: 'test/fixtures/fashion-resnet/models/fashion-resnet-identity.onnx', tier: 'mobile', runs: 30, warmup: 5, profile: true });
  const { samples, nodeTimes, ...rest } = r;
  console.log(JSON.stringify(rest, null, 1));
  console.log(nodeTimes?.slice(0, 3), nodeTimes?.reduce((a, n) => a + n.meanMs, 0));
  const big = await measure({ modelPath: 'test/fixtures/fashion-resnet/models/fashion-resnet-identity.onnx', tier: 'edge', runs: 2, warmup: 0, inputs: { kind: 'synthetic', shapes: { input: [256, 1, 32, 32] } } });
  console.log(big.peakRssMB, big.cgroupPeakMB, big.p50);
})();
