/** `npm run synth`: synthesizes the team's stack into cdk.out/, offline. */
import { App } from 'aws-cdk-lib';
import { TeamStack } from '../lib/team-stack.js';

const app = new App();
new TeamStack(app, 'TeamApp');
app.synth();
