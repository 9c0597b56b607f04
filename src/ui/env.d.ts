declare const __PINAX_BUILD_ID__: string;
