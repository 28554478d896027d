import torch.nn as nn
import torch.nn.functional as F

class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(300, 17)
    def forward(self, x):
        return F.log_softmax(self.proj(x), dim=-1)

model = Tagger()
loss_function = nn.NLLLoss()
for sentence, tags in training_data:
    tag_scores = model(sentence)
    loss = loss_function(tag_scores, tags)
