"""The level-3 calibration sweep, precomputed by ``python -m rlcore.analysis.ladder_3_lookahead``
(:func:`rlcore.analysis.ladder_3_lookahead.calibration_sweep` at its defaults)."""

SWEEP_RESULTS = {'runs': 10,
 'episodes': 1500,
 'seed': 0,
 'results': {'prior_clip': {'0.002': {'lock_in_rate': 0.9, 'failed_rate': 1.0, 'expert_win_rate': 0.0001},
                            '0.005': {'lock_in_rate': 0.9, 'failed_rate': 1.0, 'expert_win_rate': 0.001},
                            '0.01': {'lock_in_rate': 0.8, 'failed_rate': 1.0, 'expert_win_rate': 0.013},
                            '0.02': {'lock_in_rate': 0.1, 'failed_rate': 0.7, 'expert_win_rate': 0.131},
                            '0.05': {'lock_in_rate': 0.0, 'failed_rate': 0.1, 'expert_win_rate': 0.3594},
                            '0.2': {'lock_in_rate': 0.0, 'failed_rate': 0.0, 'expert_win_rate': 0.4478}},
             'learning_rate': {'0.003': {'lock_in_rate': 0.9, 'failed_rate': 1.0, 'expert_win_rate': 0.0004},
                               '0.01': {'lock_in_rate': 0.9, 'failed_rate': 1.0, 'expert_win_rate': 0.001},
                               '0.03': {'lock_in_rate': 0.3, 'failed_rate': 0.4, 'expert_win_rate': 0.2025},
                               '0.1': {'lock_in_rate': 0.4, 'failed_rate': 0.9, 'expert_win_rate': 0.0678}},
             'novice_share': {'0.3': {'lock_in_rate': 0.2, 'failed_rate': 0.3, 'expert_win_rate': 0.288},
                              '0.5': {'lock_in_rate': 0.5, 'failed_rate': 0.8, 'expert_win_rate': 0.1046},
                              '0.6': {'lock_in_rate': 0.9, 'failed_rate': 1.0, 'expert_win_rate': 0.0045},
                              '0.7': {'lock_in_rate': 0.9, 'failed_rate': 1.0, 'expert_win_rate': 0.001},
                              '0.9': {'lock_in_rate': 1.0, 'failed_rate': 1.0, 'expert_win_rate': 0.0004}},
             'epsilon': {'0.01': {'lock_in_rate': 0.9, 'failed_rate': 1.0, 'expert_win_rate': 0.001},
                         '0.02': {'lock_in_rate': 1.0, 'failed_rate': 1.0, 'expert_win_rate': 0.0025},
                         '0.05': {'lock_in_rate': 0.4, 'failed_rate': 0.9, 'expert_win_rate': 0.0513}}}}
