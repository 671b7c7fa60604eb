import './console.css';
import { createRoot } from 'react-dom/client';

const container = document.getElementById('console');
if (!container) throw new Error('#console is missing from the page');
createRoot(container).render(<p>Atrium console</p>);
