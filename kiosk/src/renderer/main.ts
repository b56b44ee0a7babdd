import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

/** The kiosk renderer: one Svelte app, talking to its host only through KioskApi. */
export const app = mount(App, { target: document.getElementById('app')! });
