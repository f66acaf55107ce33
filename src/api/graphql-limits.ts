import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

export interface GraphqlLimits {
  maxDepth: number;
  maxAliases: number;
  maxFields: number;
}

/**
 * One validation rule (Apollo answers 400 GRAPHQL_VALIDATION_FAILED; `extensions.limit` names the limit hit) bounding the work an operation can ask for, before anything resolves: the deepest field
 * nesting, the number of aliases and the number of field selections, counted with fragments expanded (each
 * spread counted where it is used, so a fragment repeated 1000 times costs 1000 times). Fragment cycles are left to
 * graphql's own NoFragmentCycles rule; here a spread already on the path stops the walk.
 */
export function graphqlLimitsRule(limits: GraphqlLimits) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions)
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    return {
      OperationDefinition(operation: OperationDefinitionNode) {
        let fields = 0;
        let aliases = 0;
        let deepest = 0;
        let stopped = false;
        const walk = (set: SelectionSetNode, depth: number, path: Set<string>) => {
          for (const selection of set.selections) {
            if (stopped) return;
            if (selection.kind === Kind.FIELD) {
              fields++;
              if (selection.alias) aliases++;
              if (depth > deepest) deepest = depth;
              if (fields > limits.maxFields || aliases > limits.maxAliases || deepest > limits.maxDepth) {
                stopped = true;
                return;
              }
              if (selection.selectionSet) walk(selection.selectionSet, depth + 1, path);
            } else if (selection.kind === Kind.INLINE_FRAGMENT) {
              walk(selection.selectionSet, depth, path);
            } else {
              const name = selection.name.value;
              const fragment = fragments.get(name);
              if (!fragment || path.has(name)) continue;
              walk(fragment.selectionSet, depth, new Set([...path, name]));
            }
          }
        };
        walk(operation.selectionSet, 1, new Set());
        const report = (code: string, message: string) =>
          context.reportError(new GraphQLError(message, { nodes: [operation], extensions: { limit: code, status: 400 } }));
        if (deepest > limits.maxDepth)
          report('GRAPHQL_TOO_DEEP', `the operation nests fields deeper than ${limits.maxDepth} levels (GRAPHQL_MAX_DEPTH)`);
        else if (aliases > limits.maxAliases)
          report('GRAPHQL_TOO_MANY_ALIASES', `the operation has more than ${limits.maxAliases} aliases (GRAPHQL_MAX_ALIASES)`);
        else if (fields > limits.maxFields)
          report(
            'GRAPHQL_TOO_COMPLEX',
            `the operation selects more than ${limits.maxFields} fields with fragments expanded (GRAPHQL_MAX_FIELDS)`,
          );
      },
    };
  };
}
