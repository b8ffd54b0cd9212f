// Popup entry: the compact token manager and injection rules.
import { PopupApp } from '../../popup/popup-app';
import { mountPage } from '../../utils/mount-page';

mountPage({ inPopup: true, App: PopupApp });
