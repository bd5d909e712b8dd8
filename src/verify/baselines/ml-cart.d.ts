// Minimal typings for ml-cart 2.x (the package ships none); only what rnnlens uses.
declare module 'ml-cart' {
  export interface CartOptions {
    gainFunction?: 'gini';
    splitFunction?: 'mean';
    minNumSamples?: number;
    maxDepth?: number;
    gainThreshold?: number;
  }
  /** A trained node: internal nodes have left/right and the split; leaves have a distribution (1×C matrix). */
  export interface CartNode {
    left?: CartNode;
    right?: CartNode;
    splitColumn?: number;
    splitValue?: number;
    gain?: number;
    distribution?: { getRow(i: number): number[] };
  }
  export class DecisionTreeClassifier {
    constructor(options?: CartOptions);
    root: CartNode;
    train(X: number[][], y: number[]): void;
    predict(X: number[][]): number[];
  }
}
