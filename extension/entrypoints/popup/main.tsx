import { render } from 'preact';

render(<p>tokenward</p>, document.getElementById('app') as HTMLElement);
