// A component drawn again only when one of its props changed (compared one by one), as preact/compat's memo,
// without importing preact/compat: that import also makes every text and number field's onChange fire on each
// key instead of once the value is committed, which the settings fields save on.
import { Component, type ComponentType, h } from 'preact';

export function memo<P extends object>(render: ComponentType<P>): ComponentType<P> {
  return class Memo extends Component<P> {
    override shouldComponentUpdate(next: P): boolean {
      const previous = this.props as Record<string, unknown>;
      const props = next as Record<string, unknown>;
      const keys = Object.keys(props);
      return keys.length !== Object.keys(previous).length || keys.some((key) => props[key] !== previous[key]);
    }

    override render() {
      return h(render, this.props);
    }
  };
}
