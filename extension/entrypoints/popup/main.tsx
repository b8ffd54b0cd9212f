// Popup entry: the compact token manager and injection rules.

import { mountPage } from '../page/mount-page';
import { PopupApp } from './popup-app';

mountPage({ inPopup: true, App: PopupApp });
