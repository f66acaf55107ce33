import { TierwiseError } from '../../common/errors';
import { cloneModel, forEachGraph, nodeInputsWithImplicit, pruneUnused, type ModelProto } from '../../onnx';
import type { ResidualBlock } from './blocks';

/**
 * A copy of `model` with each chosen block bypassed: readers of the block's Add output read the skip input
 * instead, and the nodes nobody reads any more (the block's branch) are removed with their weights.
 */
export function bypassBlocks(model: ModelProto, blocks: readonly ResidualBlock[], ids: readonly string[]): ModelProto {
  if (ids.length === 0) throw new TierwiseError('EARLY_EXIT_NO_BLOCKS', 'name at least one block to skip');
  const chosen = ids.map((id) => {
    const block = blocks.find((b) => b.id === id);
    if (!block)
      throw new TierwiseError(
        'EARLY_EXIT_BLOCK_UNKNOWN',
        `no residual block named ${JSON.stringify(id)} (blocks: ${blocks.map((b) => b.id).join(', ')})`,
        { block: id },
      );
    if (!block.bypassable)
      throw new TierwiseError('EARLY_EXIT_BLOCK_NOT_BYPASSABLE', `block ${id} cannot be bypassed: ${block.reason}`, { block: id });
    return block;
  });
  const variant = cloneModel(model);
  const graph = variant.graph!;
  const outputs = new Set((graph.output ?? []).map((o) => o.name));
  for (const block of chosen) {
    const add = (graph.node ?? []).find((n) => (n.output ?? [])[0] === block.output)!;
    if (outputs.has(block.output)) {
      add.opType = 'Identity';
      add.input = [block.skip];
      continue;
    }
    forEachGraph(graph, (g) => {
      for (const n of g.node ?? []) n.input = (n.input ?? []).map((name) => (name === block.output ? block.skip : name));
    });
    graph.node = (graph.node ?? []).filter((n) => n !== add);
  }
  removeDeadNodes(variant);
  return variant;
}

function removeDeadNodes(model: ModelProto): void {
  const graph = model.graph!;
  for (;;) {
    const read = new Set((graph.output ?? []).map((o) => o.name ?? ''));
    for (const n of graph.node ?? []) for (const name of nodeInputsWithImplicit(n)) read.add(name);
    const before = graph.node?.length ?? 0;
    graph.node = (graph.node ?? []).filter((n) => (n.output ?? []).some((o) => o && read.has(o)));
    if (graph.node.length === before) break;
  }
  pruneUnused(graph);
  const alive = new Set((graph.node ?? []).flatMap((n) => n.output ?? []));
  graph.valueInfo = (graph.valueInfo ?? []).filter((v) => alive.has(v.name ?? ''));
}
